//! How WebKitGTK draws the window on Linux. Its accelerated compositing draws every frame through
//! OpenGL; on machines without a GPU driver (virtual machines, remote desktops, Xvfb) that is Mesa's
//! software rasterizer, llvmpipe, which then costs more CPU than everything else the designer does
//! per keystroke (measured in the end-to-end run: about half of the app's CPU time per keystroke,
//! see docs/desktop.md). The designer's pages are documents, not animations, so the app draws them
//! without compositing unless asked otherwise.

/// WebKitGTK's switch for accelerated compositing (read when its web process starts).
pub const WEBKIT_COMPOSITING_ENV: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
/// Set to `1` to keep WebKit's accelerated compositing (a machine with a GPU may prefer it).
pub const GPU_COMPOSITING_ENV: &str = "TESSERA_GPU_COMPOSITING";

/// The variable to set before WebKit starts, if any: compositing off, unless the user already set
/// WebKit's switch or asked for GPU compositing.
#[must_use]
pub fn compositing_setting(webkit_switch_set: bool, gpu_asked: bool) -> Option<(&'static str, &'static str)> {
    (!webkit_switch_set && !gpu_asked).then_some((WEBKIT_COMPOSITING_ENV, "1"))
}

/// Applies [`compositing_setting`] to this process's environment (inherited by WebKit's
/// processes). Call before anything else starts: it changes the environment.
pub fn configure_webkit() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let gpu_asked = std::env::var_os(GPU_COMPOSITING_ENV).is_some_and(|v| v == "1");
    if let Some((name, value)) = compositing_setting(std::env::var_os(WEBKIT_COMPOSITING_ENV).is_some(), gpu_asked) {
        std::env::set_var(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_is_off_unless_the_user_chose() {
        assert_eq!(compositing_setting(false, false), Some((WEBKIT_COMPOSITING_ENV, "1")));
        assert_eq!(compositing_setting(true, false), None, "the user's own setting stays");
        assert_eq!(compositing_setting(false, true), None, "GPU compositing asked for");
    }
}

//! The navigation guard: the app's own page may load, nothing else may navigate the window or the
//! preview. A click on a preview block's pick link (`tessera-pick://block/<id>`, see
//! [`tessera_workspace::editor::PICK_SCHEME`]) is cancelled and sent to the UI as a `preview-pick`
//! event with the block id; every other link in the preview (`https:`, `file:`, `javascript:`,
//! `smb:`, ...) opens nothing.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Emitter, Runtime, Url};
use tessera_workspace::editor::PICK_SCHEME;

/// The event the UI receives when a block is clicked in the preview; its payload is the block id.
pub const PICK_EVENT: &str = "preview-pick";

/// What to do with a navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Let it load (the app's own page, the preview documents the UI creates).
    Allow,
    /// A click on a block in the preview: cancel, and tell the UI.
    Pick(String),
    /// Cancel.
    Deny,
}

/// Decides a navigation (pure, so it is tested without a window).
#[must_use]
pub fn decide(url: &Url) -> Decision {
    let app_origin = |u: &Url| {
        matches!(
            (u.scheme(), u.host_str()),
            ("tauri", Some("localhost")) | ("http" | "https", Some("tauri.localhost"))
        )
    };
    match url.scheme() {
        _ if app_origin(url) => Decision::Allow,
        // The preview documents: blob URLs the UI made (their origin is the app's).
        "blob" => match Url::parse(url.path()) {
            Ok(inner) if app_origin(&inner) => Decision::Allow,
            _ => Decision::Deny,
        },
        "about" if matches!(url.path(), "blank" | "srcdoc") => Decision::Allow,
        s if s == PICK_SCHEME => match (url.host_str(), url.path().strip_prefix('/')) {
            (Some("block"), Some(id)) if tessera_core::model::is_valid_id(id) => Decision::Pick(id.to_owned()),
            _ => Decision::Deny,
        },
        _ => Decision::Deny,
    }
}

/// The guard as a plugin, so it covers every webview of the app.
#[must_use]
pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(|webview, url| match decide(url) {
            Decision::Allow => true,
            Decision::Pick(id) => {
                let _ = webview.emit(PICK_EVENT, id);
                false
            }
            Decision::Deny => false,
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decision {
        decide(&Url::parse(s).expect("url"))
    }

    #[test]
    fn only_the_app_and_its_preview_documents_load() {
        assert_eq!(d("tauri://localhost/"), Decision::Allow);
        assert_eq!(d("tauri://localhost/index.html"), Decision::Allow);
        assert_eq!(d("http://tauri.localhost/"), Decision::Allow);
        assert_eq!(
            d("blob:tauri://localhost/0f4c1a2e-7d0b-4f7e-9d55-3c1f2a9b8e11#tsr-hero"),
            Decision::Allow
        );
        assert_eq!(d("about:srcdoc"), Decision::Allow);
        for bad in [
            "https://example.com/",
            "http://localhost:1420/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "smb://server/share",
            "blob:https://evil.example/1234",
            "data:text/html,<script>alert(1)</script>",
            "tauri://evil/",
            "mailto:a@example.com",
        ] {
            assert_eq!(d(bad), Decision::Deny, "{bad}");
        }
    }

    #[test]
    fn pick_links_name_a_block() {
        assert_eq!(d("tessera-pick://block/hero-1"), Decision::Pick("hero-1".to_owned()));
        assert_eq!(d("tessera-pick://block/Bad%20Id"), Decision::Deny);
        assert_eq!(d("tessera-pick://other/hero"), Decision::Deny);
    }
}

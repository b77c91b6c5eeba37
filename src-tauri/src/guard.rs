//! The navigation guard: the app's own page may load, nothing else may navigate the window or the
//! preview. A click on a preview block's pick link (`tessera-pick://block/<id>`, see
//! [`tessera_workspace::editor::PICK_SCHEME`]), or on one of the word links the UI puts over the
//! preview's text (`tessera-pick://block/<id>?w=<n>`, the block's n-th word), is cancelled and sent
//! to the UI as a `preview-pick` event ([`Pick`]); every other link in the preview (`https:`,
//! `file:`, `javascript:`, `smb:`, ...) opens nothing.

use serde::Serialize;
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Emitter, Runtime, Url};
use tessera_workspace::editor::PICK_SCHEME;

/// The event the UI receives when a block is clicked in the preview; its payload is a [`Pick`].
pub const PICK_EVENT: &str = "preview-pick";

/// A click in the preview: the block, and the word of its text when a word was clicked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Pick {
    /// The block's id.
    pub block: String,
    /// The index of the clicked word among the block's words in the preview (its own text, not
    /// its nested blocks'), when the click was on text.
    pub word: Option<u32>,
}

/// What to do with a navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Let it load (the app's own page, the preview documents the UI creates).
    Allow,
    /// A click on a block in the preview: cancel, and tell the UI.
    Pick(Pick),
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
            (Some("block"), Some(id)) if tessera_core::model::is_valid_id(id) => {
                let word = match url.query() {
                    None => None,
                    Some(q) => match q.strip_prefix("w=").map(str::parse::<u32>) {
                        Some(Ok(n)) => Some(n),
                        _ => return Decision::Deny,
                    },
                };
                Decision::Pick(Pick {
                    block: id.to_owned(),
                    word,
                })
            }
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
            Decision::Pick(pick) => {
                let _ = webview.emit(PICK_EVENT, pick);
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
        let pick = |block: &str, word| {
            Decision::Pick(Pick {
                block: block.to_owned(),
                word,
            })
        };
        assert_eq!(d("tessera-pick://block/hero-1"), pick("hero-1", None));
        assert_eq!(d("tessera-pick://block/intro?w=0"), pick("intro", Some(0)));
        assert_eq!(d("tessera-pick://block/intro?w=41"), pick("intro", Some(41)));
        assert_eq!(d("tessera-pick://block/Bad%20Id"), Decision::Deny);
        assert_eq!(d("tessera-pick://other/hero"), Decision::Deny);
        for bad in ["w=-1", "w=x", "x=1", "w=1&evil=2", "w="] {
            assert_eq!(d(&format!("tessera-pick://block/intro?{bad}")), Decision::Deny, "{bad}");
        }
    }
}

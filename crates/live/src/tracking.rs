//! Open pixels and signed click links in the emails Tessera sends (test sends with a
//! `[live] base_url`): every http(s) `<a href>` becomes `<base_url>/r/<token>`, where the token
//! (signed with the workspace's signing keys, purpose `click`) names the link's row in
//! `email_links`, the profile and the email; an open pixel `<base_url>/v1/pixel/track?data=...`
//! carrying a signed `open` token is added before `</body>`. Tokens carry store ids and the email's
//! name, never an address or a URL. The collector's side is [`crate::redirect`] and the pixel.

use base64::Engine as _;
use tessera_store::Store;
use time::OffsetDateTime;

use crate::token::{SignError, SigningKeys};
use crate::LiveError;

/// The purpose of click tokens.
pub const CLICK: &str = "click";
/// The purpose of open-pixel tokens.
pub const OPEN: &str = "open";
/// Tokens in a sent email stay valid this long.
pub const VALID_DAYS: i64 = 90;

/// Adds the open pixel and signed click links to the HTML of emails for one workspace.
#[derive(Debug, Clone)]
pub struct Tracker {
    base: String,
    keys: SigningKeys,
}

/// Why tracking could not be added.
#[derive(Debug, thiserror::Error)]
pub enum TrackingError {
    /// `[live] base_url` is not an http(s) URL without query or fragment.
    #[error("tessera.toml: [live] base_url = {0:?}: use the collector's public address, like https://t.example.com")]
    BaseUrl(String),
    /// No signing key, or a token too long.
    #[error("signing a tracking link: {0}")]
    Sign(#[from] SignError),
    /// The store failed (link rows).
    #[error(transparent)]
    Live(#[from] LiveError),
}

impl From<tessera_store::StoreError> for TrackingError {
    fn from(e: tessera_store::StoreError) -> Self {
        Self::Live(e.into())
    }
}

impl Tracker {
    /// A tracker for the collector at `base_url` with the signing keys of `store` (the first key
    /// is made when there is none).
    ///
    /// # Errors
    /// A base URL that is not an http(s) address, or the store failed.
    pub fn new(base_url: &str, store: &mut Store) -> Result<Self, TrackingError> {
        let base = base_url.trim().trim_end_matches('/');
        let lower = base.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .unwrap_or_default();
        if rest.is_empty()
            || rest.contains(['?', '#', '"', '\'', '<', '>', ' ', '\\'])
            || rest.chars().any(char::is_control)
        {
            return Err(TrackingError::BaseUrl(base_url.to_owned()));
        }
        Ok(Self {
            base: base.to_owned(),
            keys: SigningKeys::load(store)?,
        })
    }

    /// `html` of `email` as sent to `profile_id`, with signed click links and the open pixel.
    /// Links are recorded in `email_links` (the only places a click can redirect to).
    ///
    /// # Errors
    /// Signing or the store failed.
    pub fn decorate(&self, store: &Store, email: &str, profile_id: i64, html: &str) -> Result<String, TrackingError> {
        let expires = OffsetDateTime::now_utc() + time::Duration::days(VALID_DAYS);
        let profile = profile_id.to_string();
        let now = tessera_store::now_ms();
        let mut out = String::with_capacity(html.len() + 1024);
        let mut rest = html;
        while let Some((before, value, after)) = next_href(rest) {
            out.push_str(before);
            let url = tessera_core::escape::decode_references(value);
            let is_web = {
                let lower = url.trim_start().to_ascii_lowercase();
                lower.starts_with("https://") || lower.starts_with("http://")
            };
            if is_web {
                let id = store.email_link_id(email, url.trim(), now)?;
                let token = self.keys.sign(CLICK, &[&id.to_string(), &profile, email], expires)?;
                out.push_str(&self.base);
                out.push_str("/r/");
                out.push_str(&token);
            } else {
                out.push_str(value);
            }
            rest = after;
        }
        out.push_str(rest);
        let token = self.keys.sign(OPEN, &[&profile, email], expires)?;
        let data = serde_json::json!({"event": "Email Opened", "token": token}).to_string();
        let pixel = format!(
            "<img src=\"{}/v1/pixel/track?data={}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\">",
            self.base,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
        );
        match out.to_ascii_lowercase().rfind("</body>") {
            Some(at) => out.insert_str(at, &pixel),
            None => out.push_str(&pixel),
        }
        Ok(out)
    }
}

/// A [`Tracker`] with its own store connection, as the workspace's test send takes it.
#[derive(Debug)]
struct StoreTracker {
    tracker: Tracker,
    store: std::sync::Mutex<Store>,
}

impl tessera_workspace::send::Tracking for StoreTracker {
    fn decorate(&self, email: &str, profile_id: i64, html: &str) -> Result<String, String> {
        let store = self
            .store
            .lock()
            .map_err(|_| "the store connection is unavailable".to_owned())?;
        self.tracker
            .decorate(&store, email, profile_id, html)
            .map_err(|e| e.to_string())
    }
}

/// The tracking of `ws`'s test sends: `None` without `[live] base_url`.
///
/// # Errors
/// A wrong base URL, or the store failed.
pub fn for_workspace(
    ws: &tessera_workspace::Workspace,
) -> Result<Option<std::sync::Arc<dyn tessera_workspace::send::Tracking>>, TrackingError> {
    let Some(base) = ws.config.live.base_url.as_deref() else {
        return Ok(None);
    };
    let mut store = ws.open_store().map_err(LiveError::from)?;
    let tracker = Tracker::new(base, &mut store)?;
    Ok(Some(std::sync::Arc::new(StoreTracker {
        tracker,
        store: std::sync::Mutex::new(store),
    })))
}

/// The next `href` attribute value of an `<a>` tag: the text before the value, the value as
/// written (between its quotes), and the text after it.
fn next_href(html: &str) -> Option<(&str, &str, &str)> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    loop {
        let tag = from + lower.get(from..)?.find("<a")?;
        let after_name = lower.as_bytes().get(tag + 2).copied();
        let end = tag + lower.get(tag..)?.find('>').unwrap_or(lower.len() - tag);
        if !after_name.is_some_and(|b| b.is_ascii_whitespace()) {
            from = tag + 2;
            continue;
        }
        let inside = &lower[tag..end];
        // ` href=` as a whole attribute name (not `data-href=`).
        let mut search = 0;
        while let Some(found) = inside[search..].find("href") {
            let at = search + found;
            let preceded = inside
                .as_bytes()
                .get(at.wrapping_sub(1))
                .is_some_and(u8::is_ascii_whitespace);
            let tail = inside[at + 4..].trim_start();
            if preceded && tail.starts_with('=') {
                // `lower` and `html` have the same byte offsets (ASCII case only changed).
                let equals = tag + at + 4 + (inside[at + 4..].len() - tail.len());
                let value_start = equals + 1;
                let value_text = &html[value_start..];
                let trimmed = value_text.trim_start();
                let start = value_start + (value_text.len() - trimmed.len());
                let quote = trimmed.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let close = html[start + 1..].find(quote)? + start + 1;
                    return Some((&html[..=start], &html[start + 1..close], &html[close..]));
                }
                let close = html[start..]
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .map_or(html.len(), |n| n + start);
                return Some((&html[..start], &html[start..close], &html[close..]));
            }
            search = at + 4;
        }
        from = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_found_in_a_tags_only_with_any_quoting() {
        let html = r#"<p data-href="x"><abbr href="no">a</abbr><a class="b" href="https://x.example/?a=1&amp;b=2">x</a><A HREF='mailto:a@b'>m</A><a data-href="z" href=http://y.example>y</a></p>"#;
        let mut rest = html;
        let mut found = Vec::new();
        while let Some((_, value, after)) = next_href(rest) {
            found.push(value.to_owned());
            rest = after;
        }
        assert_eq!(
            found,
            ["https://x.example/?a=1&amp;b=2", "mailto:a@b", "http://y.example"]
        );
    }
}

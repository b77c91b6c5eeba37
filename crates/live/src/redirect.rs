//! Signed click redirects: `GET /r/<token>` goes to the URL of a link Tessera put in an email it
//! sent, and nowhere else. The token (purpose `click`, see [`crate::tracking`]) is verified in
//! constant time before anything in it is trusted; it names a row of `email_links` (with the email
//! it belongs to), whose URL is the only place the answer can point to. A token that is forged,
//! altered, expired, made for another purpose or signed by a revoked key, and a link that is not
//! in that email, all get the same 403 with no `Location`: never an open redirect. A valid click
//! is stored as a `click` event of the profile (through the writer, like any call) before the
//! 302; a busy or failing store never keeps the reader from their page.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tessera_store::live::{Call, LiveEvent, Message};
use time::OffsetDateTime;

use crate::server::Shared;
use crate::token::SigningKeys;
use crate::tracking::{CLICK, OPEN};

/// The one refusal, whatever was wrong.
fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "This link is not valid.").into_response()
}

/// A signed event for a profile: a click or an open.
pub(crate) fn signed_event(profile_id: i64, kind: &str) -> Message {
    Message {
        message_id: None,
        call: Call::Profile {
            profile_id,
            events: vec![LiveEvent {
                name: kind.to_owned(),
                custom: false,
                sku: None,
                category: None,
                value: None,
                currency: None,
                occurred_at: tessera_store::now_ms(),
                properties: serde_json::Value::Null,
            }],
        },
    }
}

/// The profile an `open` token names, if the token is valid.
pub(crate) fn open_token(shared: &Shared, token: &str) -> Result<i64, String> {
    let store = shared
        .reader
        .lock()
        .map_err(|_| "the reader is unavailable".to_owned())?;
    let keys = SigningKeys::read(&store).map_err(|e| e.to_string())?;
    let fields = keys
        .verify(OPEN, token, OffsetDateTime::now_utc())
        .map_err(|e| format!("open token: {e}"))?;
    match fields.as_slice() {
        [profile, _email] => profile.parse().map_err(|_| "open token: bad profile".to_owned()),
        _ => Err("open token: wrong fields".to_owned()),
    }
}

/// The link's URL and profile for a valid click token.
fn resolve(shared: &Shared, token: &str) -> Option<(String, i64)> {
    let store = shared.reader.lock().ok()?;
    let keys = SigningKeys::read(&store).ok()?;
    let fields = keys.verify(CLICK, token, OffsetDateTime::now_utc()).ok()?;
    let [link, profile, email] = fields.as_slice() else {
        return None;
    };
    let url = store.email_link_url(link.parse().ok()?, email).ok()??;
    // Written only for http(s) links; checked again so no other scheme can ever be answered.
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    Some((url, profile.parse().ok()?))
}

/// A URL as a header value: bytes a header cannot hold are percent-encoded.
fn location(url: &str) -> Option<HeaderValue> {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_graphic() {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    HeaderValue::from_str(&out).ok()
}

/// `GET /r/<token>`.
pub async fn click(State(shared): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    let Some((url, profile)) = resolve(&shared, &token) else {
        return forbidden();
    };
    let Some(target) = location(&url) else {
        return forbidden();
    };
    if let Err(e) = shared
        .writer
        .write(vec![signed_event(profile, "click")], token.len())
        .await
    {
        eprintln!("click of profile {profile}: {e}");
    }
    let mut response = StatusCode::FOUND.into_response();
    let h = response.headers_mut();
    h.insert(header::LOCATION, target);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

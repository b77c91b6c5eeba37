//! Tracking pixels: `GET /v1/pixel/<method>?data=<base64 JSON>` (Segment's shape: the call,
//! `writeKey` included, as base64 JSON). The answer is always the same 1x1 GIF; a call that cannot
//! be stored is logged, never shown to the mail client.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::Value;

use crate::segment::{parse_call, Envelope, Method};
use crate::server::Shared;

/// A transparent 1x1 GIF.
pub const GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];

fn gif() -> Response {
    let mut r = GIF.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/gif"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store, max-age=0"));
    r
}

/// `%XX` decoded (a base64 parameter may have its `+`, `/` and `=` escaped).
pub(crate) fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The call in a pixel's `data` parameter, or why not.
fn decode(uri: &Uri) -> Result<serde_json::Map<String, Value>, String> {
    let data = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("data="))
        .ok_or("no data parameter")?;
    let raw = percent_decode(data);
    let trimmed: Vec<u8> = raw.into_iter().filter(|b| *b != b'=').collect();
    let json = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&trimmed)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&trimmed))
        .map_err(|e| format!("data: not base64 ({e})"))?;
    match serde_json::from_slice::<Value>(&json) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("data: not a JSON object".to_owned()),
        Err(e) => Err(format!("data: malformed JSON ({e})")),
    }
}

/// `GET /v1/pixel/<method>`.
pub async fn pixel(State(shared): State<Arc<Shared>>, Path(method): Path<String>, uri: Uri) -> Response {
    if let Err(reason) = accept(&shared, &method, &uri).await {
        eprintln!("pixel {method}: {reason}");
    }
    gif()
}

async fn accept(shared: &Shared, method: &str, uri: &Uri) -> Result<(), String> {
    if uri.query().is_some_and(|q| q.len() > crate::server::MAX_CALL_BYTES * 2) {
        return Err("the query is larger than the limit of a single call".to_owned());
    }
    let method = Method::parse(method).ok_or_else(|| format!("no method \"{method}\""))?;
    let body = decode(uri)?;
    // The open pixel of an email Tessera sent: a signed token instead of a write key.
    if let Some(token) = body.get("token").and_then(Value::as_str) {
        let profile = crate::redirect::open_token(shared, token)?;
        let message = crate::redirect::signed_event(profile, "email_open");
        return shared
            .writer
            .write(vec![message], token.len())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string());
    }
    let key = body.get("writeKey").and_then(Value::as_str);
    if !crate::server::authorized(shared, key, tessera_store::live::KeyKind::Write) {
        return Err("unknown or revoked write key".to_owned());
    }
    let envelope = Envelope {
        received_at: tessera_store::now_ms(),
        sent_at: None,
    };
    let message = parse_call(method, &body, &envelope, &shared.events, "").map_err(|e| e.to_string())?;
    let bytes = uri.query().map_or(0, str::len);
    match shared.writer.write(vec![message], bytes).await {
        Ok(outcomes) => match outcomes.first() {
            Some(tessera_store::live::Outcome::Rejected { field, reason }) => Err(format!("{field}: {reason}")),
            _ => Ok(()),
        },
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gif_is_a_1x1_gif_and_data_decodes_escaped_or_url_safe() {
        assert!(GIF.starts_with(b"GIF89a"));
        assert_eq!((GIF[6], GIF[8]), (1, 1));
        let json = br#"{"userId":"u?","event":"Email Opened"}"#;
        for encoded in [
            base64::engine::general_purpose::STANDARD
                .encode(json)
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D"),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json),
        ] {
            let uri: Uri = format!("/v1/pixel/track?data={encoded}").parse().expect("uri");
            assert_eq!(decode(&uri).expect("decodes")["event"], "Email Opened");
        }
        let uri: Uri = "/v1/pixel/track?data=***".parse().expect("uri");
        assert!(decode(&uri).is_err());
    }
}

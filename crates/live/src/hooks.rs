//! Webhooks from CRMs and shops: `POST /hooks/<name>`, verified by signature on the raw bytes
//! before anything is parsed (Standard Webhooks, Shopify-style base64 HMAC, Stripe-style
//! `t=,v1=`; HMAC-SHA256 compared in constant time, signed timestamps within a tolerance), then
//! mapped by `[live.hooks.<name>]` into an identify or track call that takes the same path as the
//! Segment API's.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;
use tessera_store::live::Outcome;
use tessera_workspace::config::HookSettings;

use crate::segment::{parse_call, Envelope, Method};
use crate::server::{refuse, Shared, MAX_CALL_BYTES};

/// The signature schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`.
    Standard,
    /// Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC of the body>`.
    Shopify,
    /// Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC of "t.body">`.
    Stripe,
}

/// A configured webhook.
#[derive(Debug, Clone)]
pub struct Hook {
    scheme: Scheme,
    secret: Vec<u8>,
    tolerance: i64,
    method: Method,
    event: Option<String>,
    user_id: String,
    fields: BTreeMap<String, String>,
}

impl Hook {
    /// A hook from its settings, the secret read from its environment variable.
    ///
    /// # Errors
    /// An unknown scheme or call, a missing secret (naming the setting).
    pub fn new(name: &str, settings: &HookSettings) -> Result<Self, String> {
        let at = |what: &str| format!("[live.hooks.{name}] {what}");
        let scheme = match settings.scheme.as_str() {
            "standard" => Scheme::Standard,
            "shopify" => Scheme::Shopify,
            "stripe" => Scheme::Stripe,
            other => return Err(at(&format!("scheme = \"{other}\": use standard, shopify or stripe"))),
        };
        let method = match settings.call.as_str() {
            "identify" => Method::Identify,
            "track" => Method::Track,
            other => return Err(at(&format!("call = \"{other}\": use identify or track"))),
        };
        if method == Method::Track && settings.event.is_none() {
            return Err(at("event: required when call = \"track\""));
        }
        let raw = std::env::var(&settings.secret_env).map_err(|_| {
            at(&format!(
                "secret_env: the environment variable {} is not set",
                settings.secret_env
            ))
        })?;
        let secret = match scheme {
            // Standard Webhooks secrets are base64 after a `whsec_` prefix.
            Scheme::Standard => base64::engine::general_purpose::STANDARD
                .decode(raw.strip_prefix("whsec_").unwrap_or(&raw))
                .map_err(|_| {
                    at(&format!(
                        "secret_env: {} is not a whsec_<base64> secret",
                        settings.secret_env
                    ))
                })?,
            Scheme::Shopify | Scheme::Stripe => raw.into_bytes(),
        };
        Ok(Self {
            scheme,
            secret,
            tolerance: i64::try_from(settings.tolerance.unwrap_or(300)).unwrap_or(300),
            method,
            event: settings.event.clone(),
            user_id: settings.user_id.clone(),
            fields: settings.fields.clone(),
        })
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }

    /// Whether `body` is signed by this hook's secret, as of `now` (unix seconds).
    ///
    /// # Errors
    /// Why not (missing header, stale timestamp, no matching signature).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), String> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("missing {name} header"))
        };
        let fresh = |t: &str| -> Result<(), String> {
            let t: i64 = t
                .trim()
                .parse()
                .map_err(|_| "the signed timestamp is not a number".to_owned())?;
            if (now - t).abs() > self.tolerance {
                return Err(format!("the signed timestamp is more than {} s off", self.tolerance));
            }
            Ok(())
        };
        match self.scheme {
            Scheme::Shopify => {
                let given = base64::engine::general_purpose::STANDARD
                    .decode(header("x-shopify-hmac-sha256")?.trim())
                    .map_err(|_| "the signature is not base64".to_owned())?;
                let mut mac = self.mac();
                mac.update(body);
                mac.verify_slice(&given)
                    .map_err(|_| "the signature does not match".to_owned())
            }
            Scheme::Standard => {
                let id = header("webhook-id")?;
                let timestamp = header("webhook-timestamp")?;
                fresh(timestamp)?;
                let signatures = header("webhook-signature")?;
                // Several space-separated signatures (key rotation): any one that matches.
                let matched = signatures.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|sig| {
                    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(sig) else {
                        return false;
                    };
                    let mut mac = self.mac();
                    mac.update(id.as_bytes());
                    mac.update(b".");
                    mac.update(timestamp.as_bytes());
                    mac.update(b".");
                    mac.update(body);
                    mac.verify_slice(&given).is_ok()
                });
                if matched {
                    Ok(())
                } else {
                    Err("no signature matches".to_owned())
                }
            }
            Scheme::Stripe => {
                let header = header("stripe-signature")?;
                let mut t = None;
                let mut v1 = Vec::new();
                for part in header.split(',') {
                    match part.trim().split_once('=') {
                        Some(("t", value)) => t = Some(value),
                        Some(("v1", value)) => v1.push(value),
                        _ => {}
                    }
                }
                let t = t.ok_or("Stripe-Signature has no t=")?;
                fresh(t)?;
                let matched = v1.iter().any(|sig| {
                    let Some(given) = hex(sig) else { return false };
                    let mut mac = self.mac();
                    mac.update(t.as_bytes());
                    mac.update(b".");
                    mac.update(body);
                    mac.verify_slice(&given).is_ok()
                });
                if matched {
                    Ok(())
                } else {
                    Err("no v1 signature matches".to_owned())
                }
            }
        }
    }

    /// The payload as a Segment call body.
    fn call(&self, payload: &Value) -> Result<Map<String, Value>, String> {
        let user = payload
            .pointer(&self.user_id)
            .filter(|v| !v.is_null())
            .ok_or_else(|| format!("{}: not in the payload", self.user_id))?;
        let mut mapped = Map::new();
        for (name, pointer) in &self.fields {
            if let Some(v) = payload.pointer(pointer).filter(|v| !v.is_null()) {
                mapped.insert(name.clone(), v.clone());
            }
        }
        let mut body = Map::new();
        body.insert("userId".to_owned(), user.clone());
        if self.method == Method::Identify {
            body.insert("traits".to_owned(), Value::Object(mapped));
        } else {
            body.insert("event".to_owned(), json!(self.event.clone().unwrap_or_default()));
            body.insert("properties".to_owned(), Value::Object(mapped));
        }
        Ok(body)
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `POST /hooks/<name>`.
pub async fn hook(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(hook) = shared.hooks.get(&name) else {
        return refuse(StatusCode::NOT_FOUND, "not_found", format!("no hook \"{name}\""));
    };
    let bytes = match crate::server::read_body(body, MAX_CALL_BYTES, &headers).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let now = tessera_store::now_ms() / 1000;
    if let Err(reason) = hook.verify(&headers, &bytes, now) {
        return refuse(StatusCode::UNAUTHORIZED, "bad_signature", reason);
    }
    let payload: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_json", format!("malformed JSON: {e}")),
    };
    let call = match hook.call(&payload) {
        Ok(c) => c,
        Err(reason) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", reason),
    };
    let envelope = Envelope {
        received_at: tessera_store::now_ms(),
        sent_at: None,
    };
    let message = match parse_call(hook.method, &call, &envelope, &shared.events, "") {
        Ok(mut m) => {
            // The sender's delivery id de-duplicates its retries.
            m.message_id = headers
                .get("webhook-id")
                .or_else(|| headers.get("x-shopify-webhook-id"))
                .and_then(|v| v.to_str().ok())
                .map(|id| format!("hook:{name}:{id}"));
            m
        }
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
    };
    match shared.writer.write(vec![message], bytes.len()).await {
        Ok(outcomes) => match outcomes.into_iter().next() {
            Some(Outcome::Rejected { field, reason }) => {
                refuse(StatusCode::BAD_REQUEST, "invalid_request", format!("{field}: {reason}"))
            }
            _ => Json(json!({"success": true})).into_response(),
        },
        Err(e) => crate::server::write_failed(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_decodes_and_refuses_odd_text() {
        assert_eq!(hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(hex("abc"), None);
        assert_eq!(hex("zz"), None);
    }
}

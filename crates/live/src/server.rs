//! The HTTP side: the router, size limits, keys, and the answers (Segment's shapes).

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use tessera_store::live::{key_hash, KeyKind, Message, Outcome};
use tokio::sync::broadcast;

use crate::segment::{parse_call, CallError, Envelope, EventMap, Method};
use crate::stream::SegmentEvent;
use crate::writer::{WriteError, WriterHandle};

/// Largest body of a single call (Segment's limit).
pub const MAX_CALL_BYTES: usize = 32 * 1024;
/// Largest body of a batch (Segment's limit).
pub const MAX_BATCH_BYTES: usize = 500 * 1024;
/// A body must arrive within this (a client that trickles bytes is cut off; it never holds the
/// writer, which only sees complete requests).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler shares.
pub struct Shared {
    /// The writer.
    pub writer: WriterHandle,
    /// Event names → types.
    pub events: EventMap,
    /// Segment changes for `/v1/stream`.
    pub stream: broadcast::Sender<SegmentEvent>,
    /// The read side's connection.
    pub reader: crate::read::Reader,
    /// Webhooks by name.
    pub hooks: std::collections::BTreeMap<String, crate::hooks::Hook>,
    /// The signed feeds of live blocks (`/feeds/...`).
    pub feeds: crate::feeds::Feeds,
    /// The live images' rasterizer and caches (`/live/...`).
    pub images: crate::images::Images,
}

/// The collector's routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/batch", post(batch))
        .route("/v1/{method}", post(single))
        .route("/v1/stream", get(stream))
        .route("/v1/pixel/{method}", get(crate::pixel::pixel))
        .route("/v1/profiles/{id}", get(crate::read::profile))
        .route("/hooks/{name}", post(crate::hooks::hook))
        .route("/v1/segments/{name}/members", get(crate::read::members))
        .route("/health", get(health))
        .route("/r/{token}", get(crate::redirect::click))
        .route("/feeds/{email}/{block}", get(crate::feeds::feed))
        .route("/live/{email}/{file}", get(crate::images::live_image))
        .with_state(shared)
}

/// An error answer in Segment's shape, with a reason naming the field.
pub(crate) fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let mut response = (
        status,
        Json(json!({"success": false, "code": code, "message": message.into()})),
    )
        .into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// [`refuse`], boxed for `Result`s.
fn boxed(status: StatusCode, code: &str, message: impl Into<String>) -> Box<Response> {
    Box::new(refuse(status, code, message))
}

async fn health(State(shared): State<Arc<Shared>>) -> Response {
    let c = &shared.writer.counters;
    Json(json!({
        "events": c.events.load(Ordering::Relaxed),
        "overloaded": c.overloaded.load(Ordering::Relaxed),
        "rejected": c.rejected.load(Ordering::Relaxed),
        "failures": c.failures.load(Ordering::Relaxed),
    }))
    .into_response()
}

/// Reads the body within the size limit and the time limit.
pub(crate) async fn read_body(body: Body, limit: usize, headers: &HeaderMap) -> Result<Bytes, Box<Response>> {
    let too_large = |what: &str| {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {} KB, the limit of {what}", limit / 1024),
        )
    };
    let what = if limit == MAX_BATCH_BYTES {
        "a batch"
    } else {
        "a single call"
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(Box::new(too_large(what)));
    }
    if headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes() != b"identity")
    {
        return Err(boxed(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_encoding",
            "Content-Encoding: send the body uncompressed",
        ));
    }
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Err(_) => Err(boxed(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "the body did not arrive in time",
        )),
        Ok(Err(e)) => {
            let text = e.to_string();
            if text.contains("length limit") {
                Err(Box::new(too_large(what)))
            } else {
                Err(boxed(
                    StatusCode::BAD_REQUEST,
                    "invalid_body",
                    format!("the body could not be read: {text}"),
                ))
            }
        }
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

/// The key a request presents: the Basic user, a Bearer token, or `writeKey` in the body.
pub(crate) fn presented_key(headers: &HeaderMap, body: Option<&Map<String, Value>>) -> Option<String> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(basic) = auth.strip_prefix("Basic ") {
            let decoded = base64::engine::general_purpose::STANDARD.decode(basic.trim()).ok()?;
            let text = String::from_utf8(decoded).ok()?;
            return Some(text.split(':').next().unwrap_or_default().to_owned());
        }
        if let Some(bearer) = auth.strip_prefix("Bearer ") {
            return Some(bearer.trim().to_owned());
        }
    }
    body.and_then(|b| b.get("writeKey"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Whether `key` is a key of `kind` in force.
pub(crate) fn authorized(shared: &Shared, key: Option<&str>, kind: KeyKind) -> bool {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return false;
    };
    let hash = key_hash(key);
    shared
        .writer
        .keys
        .read()
        .is_ok_and(|keys| keys.iter().any(|(h, k)| *k == kind && *h == hash))
}

fn unauthorized() -> Response {
    let mut r = refuse(StatusCode::UNAUTHORIZED, "unauthorized", "unknown or revoked write key");
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"tessera\""),
    );
    r
}

/// The body as a JSON object, or the 400 that says why not.
fn object(bytes: &[u8]) -> Result<Map<String, Value>, Box<Response>> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(boxed(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "the body must be a JSON object",
        )),
        Err(e) => Err(boxed(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("malformed JSON: {e}"),
        )),
    }
}

pub(crate) fn write_failed(e: &WriteError) -> Response {
    match e {
        WriteError::Busy => refuse(StatusCode::TOO_MANY_REQUESTS, "busy", e.to_string()),
        WriteError::Store(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "store", e.to_string()),
    }
}

async fn single(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(method) = Method::parse(&method) else {
        return refuse(StatusCode::NOT_FOUND, "not_found", format!("no method \"{method}\""));
    };
    let bytes = match read_body(body, MAX_CALL_BYTES, &headers).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let parsed = object(&bytes);
    let key = presented_key(&headers, parsed.as_ref().ok());
    if !authorized(&shared, key.as_deref(), KeyKind::Write) {
        return unauthorized();
    }
    let body = match parsed {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let envelope = Envelope {
        received_at: tessera_store::now_ms(),
        sent_at: None,
    };
    let message = match parse_call(method, &body, &envelope, &shared.events, "") {
        Ok(m) => m,
        Err(e) => {
            shared.writer.counters.rejected.fetch_add(1, Ordering::Relaxed);
            return refuse(StatusCode::BAD_REQUEST, "invalid_request", e.to_string());
        }
    };
    match shared.writer.write(vec![message], bytes.len()).await {
        Ok(outcomes) => match outcomes.into_iter().next() {
            Some(Outcome::Rejected { field, reason }) => {
                refuse(StatusCode::BAD_REQUEST, "invalid_request", format!("{field}: {reason}"))
            }
            _ => Json(json!({"success": true})).into_response(),
        },
        Err(e) => write_failed(&e),
    }
}

async fn batch(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(body, MAX_BATCH_BYTES, &headers).await {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let parsed = object(&bytes);
    let key = presented_key(&headers, parsed.as_ref().ok());
    if !authorized(&shared, key.as_deref(), KeyKind::Write) {
        return unauthorized();
    }
    let body = match parsed {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let Some(Value::Array(items)) = body.get("batch") else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "batch: required, an array of calls",
        );
    };
    let envelope = Envelope {
        received_at: tessera_store::now_ms(),
        sent_at: body.get("sentAt").cloned(),
    };
    // Calls refused here never reach the writer; their places in the answer are kept.
    let mut answers: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
    let mut messages: Vec<Message> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("batch[{i}].");
        let parsed = match item {
            Value::Object(call) => match call.get("type").and_then(Value::as_str).and_then(Method::parse) {
                Some(method) => parse_call(method, call, &envelope, &shared.events, &path),
                None => Err(CallError {
                    field: format!("{path}type"),
                    reason: "must be identify, track, page, screen, alias or group".to_owned(),
                }),
            },
            _ => Err(CallError {
                field: format!("batch[{i}]"),
                reason: "must be an object".to_owned(),
            }),
        };
        match parsed {
            Ok(m) => {
                messages.push(m);
                answers.push(None);
            }
            Err(e) => answers.push(Some(Outcome::Rejected {
                field: e.field,
                reason: e.reason,
            })),
        }
    }
    let refused_here = answers.iter().filter(|a| a.is_some()).count();
    shared
        .writer
        .counters
        .rejected
        .fetch_add(refused_here as u64, Ordering::Relaxed);
    let mut stored = if messages.is_empty() {
        Vec::new().into_iter()
    } else {
        match shared.writer.write(messages, bytes.len()).await {
            Ok(outcomes) => outcomes.into_iter(),
            Err(e) => return write_failed(&e),
        }
    };
    let results: Vec<Outcome> = answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| stored.next().unwrap_or(Outcome::Pending)))
        .collect();
    Json(json!({"success": true, "results": results})).into_response()
}

async fn stream(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let key = presented_key(&headers, None);
    if !authorized(&shared, key.as_deref(), KeyKind::Read) {
        return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "unknown or revoked read key");
    }
    let mut receiver = shared.stream.subscribe();
    let events = async_stream(move |tx| async move {
        loop {
            match receiver.recv().await {
                Ok(event) => {
                    let data = serde_json::to_string(&event).unwrap_or_default();
                    if tx
                        .send(Ok::<_, Infallible>(Event::default().event("segment").data(data)))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default()).into_response()
}

/// A stream fed by a task through a small channel.
fn async_stream<F, Fut>(produce: F) -> impl futures_core_stream::Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(produce(tx));
    futures_core_stream::ReceiverStream(rx)
}

/// A `Stream` over a tokio receiver (without another dependency).
mod futures_core_stream {
    pub use futures_core::Stream;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// The receiver as a stream.
    pub struct ReceiverStream<T>(pub tokio::sync::mpsc::Receiver<T>);

    impl<T> Stream for ReceiverStream<T> {
        type Item = T;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
            self.0.poll_recv(cx)
        }
    }
}

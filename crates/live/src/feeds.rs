//! Signed feeds for AMP live blocks: `GET /feeds/<email>/<block>?t=<token>` answers
//! `{"items": [item]}`, the shape `amp-list` reads, computed at request time from the store through
//! the workspace's one path for stored recipients (`tessera_workspace::profiles::stored_context`)
//! and the block's template contract (`LiveTemplate::item`).
//!
//! - The token (purpose `feed`, see `tessera_store::signing`) carries the profile id, the email and
//!   the block; it must match the path. Expired, forged, revoked or mismatched tokens get 403 with
//!   no detail. Signing keys are re-read every second, so a revocation takes effect while serving.
//! - CORS for AMP: version 2 (`AMP-Email-Sender` → `AMP-Email-Allow-Sender`) and version 1
//!   (`Origin` and `__amp_source_origin` → `Access-Control-Allow-Origin`,
//!   `AMP-Access-Control-Allow-Source-Origin`, `Access-Control-Expose-Headers`), for the senders of
//!   `[live] amp_senders`; any other sender gets 403.
//! - An answer that cannot be computed within [`BUDGET`] falls back to the last answer given for
//!   that recipient and block; with none, to the values the block showed the recipient when the
//!   email was sent (`.tessera/sent-values.db`, written by test sends, see
//!   `tessera_store::sent_values`), with `"sent_at"`; both marked `"stale": true`. With neither,
//!   503 `{"stale": true}`, on which `amp-list` shows its fallback: the send-time render. Never an
//!   error page.
//! - `Cache-Control: private, max-age=<max_age>` on fresh answers, `no-store` on stale ones.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tessera_core::live::Shape;
use tessera_store::sent_values::{SentValue, SentValues};
use tessera_store::signing::SigningKeys;
use tessera_store::Store;
use tessera_workspace::amp::{LiveFeed, FEED_PURPOSE};
use time::OffsetDateTime;

use crate::server::Shared;

/// How long a feed may take before the stale answer is given.
pub const BUDGET: Duration = Duration::from_millis(250);
/// How often the signing keys are re-read from the store.
const KEYS_EVERY: Duration = Duration::from_secs(1);
/// Last answers kept for stale fallbacks.
const LAST_ANSWERS: usize = 100_000;
/// How long a read of the send-time values may wait for a lock (the file is in WAL mode, so only
/// a checkpoint or recovery ever holds a reader up).
const SENT_VALUES_WAIT: Duration = Duration::from_millis(100);

/// Read connections to the store, used by one request each at a time: a slow answer holds one
/// connection, not every feed.
struct StorePool {
    stores: Vec<Mutex<Store>>,
    next: AtomicUsize,
}

impl StorePool {
    fn new(stores: Vec<Store>) -> Self {
        Self {
            stores: stores.into_iter().map(Mutex::new).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Runs `f` on a free connection (waiting for the next one in turn when all are busy).
    fn with<T>(&self, f: impl FnOnce(&Store) -> T) -> Result<T, ()> {
        let n = self.stores.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n.max(1);
        for i in 0..n {
            if let Ok(store) = self.stores[(start + i) % n].try_lock() {
                return Ok(f(&store));
            }
        }
        let store = self.stores.get(start).ok_or(())?.lock().map_err(|_| ())?;
        Ok(f(&store))
    }
}

/// The feeds of a running collector.
pub struct Feeds {
    by_block: HashMap<(String, String), LiveFeed>,
    senders: Vec<String>,
    keys: Arc<Mutex<(Instant, SigningKeys)>>,
    refreshing: Arc<AtomicBool>,
    stores: Arc<StorePool>,
    last: Mutex<HashMap<(i64, String, String), Value>>,
    sent: Option<Arc<Mutex<SentValues>>>,
}

impl Feeds {
    /// The feeds of `feeds`, answered from `stores` (one request per connection at a time), for
    /// `senders`, falling back to the send-time values in `sent` (their own file and connection).
    ///
    /// # Errors
    /// The signing keys cannot be read (or made, on first use).
    pub fn new(
        feeds: Vec<LiveFeed>,
        senders: Vec<String>,
        mut stores: Vec<Store>,
        sent: Option<SentValues>,
    ) -> Result<Self, crate::LiveError> {
        if let Some(sent) = &sent {
            sent.set_busy_timeout(SENT_VALUES_WAIT)?;
        }
        let keys = match stores.first_mut() {
            Some(store) => SigningKeys::load(store)?,
            None => return Err(crate::LiveError::Config("the feeds need a store connection".to_owned())),
        };
        Ok(Self {
            by_block: feeds
                .into_iter()
                .map(|f| ((f.email.clone(), f.block.clone()), f))
                .collect(),
            senders,
            keys: Arc::new(Mutex::new((Instant::now(), keys))),
            refreshing: Arc::new(AtomicBool::new(false)),
            stores: Arc::new(StorePool::new(stores)),
            last: Mutex::new(HashMap::new()),
            sent: sent.map(|s| Arc::new(Mutex::new(s))),
        })
    }

    /// The values `block` of `email` showed `profile` when it was last sent, read within
    /// [`BUDGET`] from their own file (never from the store, which may be what failed).
    pub(crate) async fn sent_values(&self, profile: i64, email: &str, block: &str) -> Option<SentValue> {
        let sent = Arc::clone(self.sent.as_ref()?);
        let (email, block) = (email.to_owned(), block.to_owned());
        let read = tokio::task::spawn_blocking(move || sent.lock().ok()?.get(profile, &email, &block).ok().flatten());
        tokio::time::timeout(BUDGET, read).await.ok()?.ok()?
    }

    /// The live block `block` of `email`, if it is one.
    pub(crate) fn feed(&self, email: &str, block: &str) -> Option<&LiveFeed> {
        self.by_block.get(&(email.to_owned(), block.to_owned()))
    }

    /// The feed shape of `feed` for the stored profile `profile` at `now` (Unix seconds), with the
    /// recipient's context read from the store now.
    pub(crate) fn shape_now(&self, feed: &LiveFeed, profile: i64, now: i64) -> Result<Shape, ()> {
        self.stores.with(|store| {
            let (_, context) =
                tessera_workspace::profiles::stored_context(store, &profile.to_string(), now.saturating_mul(1000))
                    .map_err(|_| ())?;
            feed.shape(store, &context.data, now).map_err(|_| ())
        })?
    }

    /// Re-reads the signing keys in the background when the last read is older than
    /// [`KEYS_EVERY`]: a request verifies with the keys read last and never waits for the store
    /// (a slow store must not hold up the fallback answers).
    fn refresh_keys(&self) {
        let due = self.keys.lock().is_ok_and(|k| k.0.elapsed() >= KEYS_EVERY);
        if !due || self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.refreshing.store(false, Ordering::Release);
            return;
        };
        let (keys, stores, refreshing) = (
            Arc::clone(&self.keys),
            Arc::clone(&self.stores),
            Arc::clone(&self.refreshing),
        );
        runtime.spawn_blocking(move || {
            let fresh = stores.with(|s| SigningKeys::read(s).ok()).ok().flatten();
            if let (Some(fresh), Ok(mut keys)) = (fresh, keys.lock()) {
                *keys = (Instant::now(), fresh);
            }
            refreshing.store(false, Ordering::Release);
        });
    }

    /// The profile id a valid token of `purpose` for (`email`, `block`) names.
    pub(crate) fn verify(&self, purpose: &str, token: &str, email: &str, block: &str) -> Option<i64> {
        self.refresh_keys();
        let keys = self.keys.lock().ok()?;
        let fields = keys.1.verify(purpose, token, OffsetDateTime::now_utc()).ok()?;
        match fields.as_slice() {
            [profile, e, b] if e == email && b == block => profile.parse().ok(),
            _ => None,
        }
    }

    /// The CORS headers for an allowed sender; `Err` for a sender that is not allowed.
    fn cors(&self, headers: &HeaderMap, query: &str) -> Result<Vec<(HeaderName, HeaderValue)>, ()> {
        let allowed = |sender: &str| self.senders.iter().any(|s| s.eq_ignore_ascii_case(sender.trim()));
        let value = |s: &str| HeaderValue::from_str(s).map_err(|_| ());
        if let Some(sender) = headers.get("amp-email-sender") {
            let sender = sender.to_str().map_err(|_| ())?;
            return if allowed(sender) {
                Ok(vec![(
                    HeaderName::from_static("amp-email-allow-sender"),
                    value(sender)?,
                )])
            } else {
                Err(())
            };
        }
        let source = query_param(query, "__amp_source_origin");
        match (headers.get(header::ORIGIN), source) {
            (Some(origin), Some(source)) if allowed(&source) => Ok(vec![
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()),
                (
                    HeaderName::from_static("amp-access-control-allow-source-origin"),
                    value(&source)?,
                ),
                (
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static("AMP-Access-Control-Allow-Source-Origin"),
                ),
            ]),
            (None, None) => Ok(Vec::new()),
            _ => Err(()),
        }
    }
}

/// A query parameter, percent-decoded.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| String::from_utf8_lossy(&crate::pixel::percent_decode(v)).into_owned())
    })
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "").into_response()
}

/// The feed's answer: `{"items": [item]}`, the item being the block's template data with its feed
/// shape under `live` (the values of the feed kind: products with prices and stock, the cart, the
/// profile's fields and points, segment flags, or the countdown).
fn answer(feed: &LiveFeed, data: &Value, shape: &Shape) -> Value {
    with_shape(
        feed.template.feed(data),
        serde_json::to_value(shape).unwrap_or(Value::Null),
    )
}

/// `feed` (`{"items": [item]}`) with `shape` under the item's `live`.
fn with_shape(mut feed: Value, shape: Value) -> Value {
    if let Some(Value::Object(item)) = feed.get_mut("items").and_then(|i| i.get_mut(0)) {
        item.insert("live".to_owned(), shape);
    }
    feed
}

/// The answer from the values sent: the feed's data and shape at send time, with when they were
/// sent (RFC 3339).
fn sent_answer(sent: SentValue) -> Value {
    let mut answer = with_shape(sent.feed, sent.shape);
    if let Value::Object(map) = &mut answer {
        map.insert(
            "sent_at".to_owned(),
            Value::String(tessera_store::ms_to_rfc3339(sent.sent_at_ms)),
        );
    }
    answer
}

/// `GET /feeds/<email>/<block>?t=<token>`.
pub async fn feed(
    State(shared): State<Arc<Shared>>,
    Path((email, block)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let feeds = &shared.feeds;
    let query = query.unwrap_or_default();
    let Some(token) = query_param(&query, "t") else {
        return forbidden();
    };
    let Ok(cors) = feeds.cors(&headers, &query) else {
        return forbidden();
    };
    let Some(feed) = feeds.by_block.get(&(email.clone(), block.clone())) else {
        return forbidden();
    };
    let Some(profile) = feeds.verify(FEED_PURPOSE, &token, &email, &block) else {
        return forbidden();
    };
    let work = {
        let shared = Arc::clone(&shared);
        let feed = feed.clone();
        tokio::task::spawn_blocking(move || {
            let feeds = &shared.feeds;
            let now = tessera_store::now_ms();
            let (context, shape) = feeds.stores.with(|store| {
                let (_, context) =
                    tessera_workspace::profiles::stored_context(store, &profile.to_string(), now).map_err(|_| ())?;
                let shape = feed.shape(store, &context.data, now.div_euclid(1000)).map_err(|_| ())?;
                Ok::<_, ()>((context, shape))
            })??;
            Ok::<Value, ()>(answer(&feed, &context.data, &shape))
        })
    };
    let key = (profile, email, block);
    let (status, body, cache) = if let Ok(Ok(Ok(answer))) = tokio::time::timeout(BUDGET, work).await {
        if let Ok(mut last) = feeds.last.lock() {
            if last.len() >= LAST_ANSWERS {
                last.clear();
            }
            last.insert(key, answer.clone());
        }
        (
            StatusCode::OK,
            answer,
            format!("private, max-age={}", feed.spec.max_age.seconds()),
        )
    } else {
        let last = feeds.last.lock().ok().and_then(|l| l.get(&key).cloned());
        let stale = match last {
            Some(last) => Some(last),
            None => feeds.sent_values(key.0, &key.1, &key.2).await.map(sent_answer),
        };
        match stale {
            Some(mut answer) => {
                if let Value::Object(map) = &mut answer {
                    map.insert("stale".to_owned(), Value::Bool(true));
                }
                (StatusCode::OK, answer, "no-store".to_owned())
            }
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"stale": true}),
                "no-store".to_owned(),
            ),
        }
    };
    let mut response = (status, axum::Json(body)).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&cache) {
        h.insert(header::CACHE_CONTROL, v);
    }
    for (name, value) in cors {
        h.insert(name, value);
    }
    response
}

//! The read side for other systems (read key): `GET /v1/profiles/<id>` (attributes, segments,
//! recommendations) and `GET /v1/segments/<name>/members`. Reads use their own connection to the
//! store (WAL: they see the last commit and never wait for the writer).

use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tessera_store::live::KeyKind;
use tessera_store::recommend::RecommendOptions;
use tessera_store::{Store, StoreError};

use crate::server::{authorized, presented_key, refuse, Shared};

/// Members listed at most per request.
const MEMBERS_MAX: usize = 10_000;

/// The reading connection, used by one request at a time.
pub type Reader = Arc<Mutex<Store>>;

/// The 401 for a request without a read key in force.
fn denied(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let key = presented_key(headers, None);
    (!authorized(shared, key.as_deref(), KeyKind::Read))
        .then(|| refuse(StatusCode::UNAUTHORIZED, "unauthorized", "unknown or revoked read key"))
}

async fn with_store<T: Send + 'static>(
    reader: &Reader,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Response> {
    let reader = reader.clone();
    let done = tokio::task::spawn_blocking(move || {
        let store = reader.lock().map_err(|_| "the reader is unavailable".to_owned())?;
        work(&store).map_err(|e| match e {
            StoreError::ProfileNotFound(_) => format!("404:{e}"),
            other => other.to_string(),
        })
    })
    .await;
    match done {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(text)) => Err(match text.strip_prefix("404:") {
            Some(missing) => refuse(StatusCode::NOT_FOUND, "not_found", missing),
            None => refuse(StatusCode::INTERNAL_SERVER_ERROR, "store", text),
        }),
        Err(e) => Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, "store", e.to_string())),
    }
}

/// `GET /v1/profiles/<id>`: by store id, email, CRM or shop id, or a collector `userId` /
/// `anonymousId`.
pub async fn profile(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Some(r) = denied(&shared, &headers) {
        return r;
    }
    let result = with_store(&shared.reader, move |store| {
        let profile_id = match store.live_identity(&id)? {
            Some(p) => p,
            None => store.find_profile_id(&id)?,
        };
        let now = tessera_store::now_ms();
        let detail = store.profile_detail(&profile_id.to_string(), 20)?;
        let segments = store.stored_segments(profile_id)?;
        let recommendations = store.recommendations(profile_id, now, &RecommendOptions::default())?;
        Ok(json!({
            "id": detail.id,
            "attributes": detail.profile,
            "segments": segments,
            "recommendations": recommendations,
            "recent_events": detail.recent_events,
        }))
    })
    .await;
    match result {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

/// `GET /v1/segments/<name>/members[?limit=N]`: the current members, in id order.
pub async fn members(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = denied(&shared, &headers) {
        return r;
    }
    let limit = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .find_map(|p| p.strip_prefix("limit="))
        .map_or(Ok(1000), str::parse::<usize>);
    let Ok(limit) = limit else {
        return refuse(StatusCode::BAD_REQUEST, "invalid_request", "limit: not a number");
    };
    let limit = limit.min(MEMBERS_MAX);
    let segment = name.clone();
    let result = with_store(&shared.reader, move |store| {
        let known = store.segment_summaries()?.into_iter().any(|s| s.name == segment);
        if !known {
            return Ok(None);
        }
        store.segment_members(&segment, limit).map(Some)
    })
    .await;
    match result {
        Ok(Some(members)) => Json(json!({"segment": name, "members": members})).into_response(),
        Ok(None) => refuse(StatusCode::NOT_FOUND, "not_found", format!("no segment \"{name}\"")),
        Err(r) => r,
    }
}

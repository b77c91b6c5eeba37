//! The Live data screen's commands: start and stop the collector of `tessera serve` inside the app
//! (`tessera_live::embedded`, on Tauri's tokio runtime, loopback only), its URL, counters and keys,
//! and the calls it stores, forwarded to the window as `live-activity` events a few times a second
//! so a burst of events never floods the editor.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;
use tauri::{Emitter, State, Window};
use tessera_live::activity::Activity;
use tessera_live::embedded::Collector;
use tessera_live::keys::{self, NewKey};
use tessera_live::{KeyInfo, KeyKind, LiveError, ServeOptions};

use crate::ipc::IpcError;
use crate::AppState;

type Reply<T> = Result<T, IpcError>;

/// The event each batch of stored calls arrives in (`Activity[]`).
pub const LIVE_ACTIVITY_EVENT: &str = "live-activity";

/// The window hears about stored calls at most this often.
const FORWARD_EVERY: Duration = Duration::from_millis(100);

/// At most this many calls are forwarded per batch; the rest are counted in the counters only.
const FORWARD_MAX: usize = 500;

/// The port the screen offers first (the one of `tessera serve`).
pub const DEFAULT_PORT: u16 = 8787;

impl From<LiveError> for IpcError {
    fn from(e: LiveError) -> Self {
        Self {
            code: e.kind(),
            message: e.to_string(),
        }
    }
}

/// The collector running in the app, if any.
#[derive(Default)]
pub struct LiveState {
    running: tokio::sync::Mutex<Option<Running>>,
}

struct Running {
    collector: Collector,
    workspace: PathBuf,
    forward: tauri::async_runtime::JoinHandle<()>,
}

/// What the Live data screen shows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LiveStatus {
    /// The collector's base URL while it runs (`http://127.0.0.1:8787`).
    pub url: Option<String>,
    /// The workspace folder it serves.
    pub workspace: Option<String>,
    /// Its counters (zero when stopped).
    pub counters: LiveCounters,
    /// The workspace's keys, revoked ones too (never the secrets).
    pub keys: Vec<KeyInfo>,
}

/// The collector's counters since it started.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
pub struct LiveCounters {
    /// Events stored.
    #[ts(type = "number")]
    pub events: u64,
    /// Requests refused with 429 (the queue was full).
    #[ts(type = "number")]
    pub overloaded: u64,
    /// Calls refused with 400 (or per batch item).
    #[ts(type = "number")]
    pub rejected: u64,
    /// Commits that failed (500).
    #[ts(type = "number")]
    pub failures: u64,
}

async fn status(app: &AppState) -> Reply<LiveStatus> {
    let running = app.live.running.lock().await;
    let keys = match app.detached(false) {
        Ok(ws) if ws.root.is_some() => keys::list(&ws.open_store()?)?,
        _ => Vec::new(),
    };
    Ok(match running.as_ref() {
        Some(r) => {
            let c = &r.collector.counters;
            LiveStatus {
                url: Some(format!("http://{}", r.collector.addr)),
                workspace: Some(r.workspace.display().to_string()),
                counters: LiveCounters {
                    events: c.events.load(Ordering::Relaxed),
                    overloaded: c.overloaded.load(Ordering::Relaxed),
                    rejected: c.rejected.load(Ordering::Relaxed),
                    failures: c.failures.load(Ordering::Relaxed),
                },
                keys,
            }
        }
        None => LiveStatus {
            url: None,
            workspace: None,
            counters: LiveCounters::default(),
            keys,
        },
    })
}

/// Whether the collector runs, where, its counters and the workspace's keys.
#[tauri::command]
pub async fn live_status(state: State<'_, AppState>) -> Reply<LiveStatus> {
    status(&state).await
}

/// Starts the collector on the open workspace's store, on loopback at `port` (0: a free one).
#[tauri::command]
pub async fn live_start(window: Window, state: State<'_, AppState>, port: u16) -> Reply<LiveStatus> {
    {
        let mut running = state.live.running.lock().await;
        if running.is_none() {
            let ws = state.detached(true)?;
            let root = ws.root.clone().unwrap_or_default();
            let options = ServeOptions::new(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
            let (activity, receiver) = tokio::sync::broadcast::channel(1024);
            let collector = Collector::start(ws, options, Some(activity)).await?;
            let forward = tauri::async_runtime::spawn(forward(window, receiver));
            *running = Some(Running {
                collector,
                workspace: root,
                forward,
            });
        }
    }
    status(&state).await
}

/// Stops the collector (its last commit lands first).
#[tauri::command]
pub async fn live_stop(state: State<'_, AppState>) -> Reply<LiveStatus> {
    let stopped = state.live.running.lock().await.take();
    if let Some(r) = stopped {
        let result = r.collector.stop().await;
        r.forward.abort();
        result?;
    }
    status(&state).await
}

/// Creates a write or read key; its secret is in the answer once. A running collector takes it
/// at once.
#[tauri::command]
pub async fn live_create_key(state: State<'_, AppState>, kind: KeyKind) -> Reply<NewKey> {
    let store = state.detached(false)?.open_store()?;
    let key = keys::create(&store, kind)?;
    if let Some(r) = state.live.running.lock().await.as_ref() {
        r.collector.reload_keys(&store)?;
    }
    Ok(key)
}

/// Revokes a key: the running collector refuses it at once (another `tessera serve` on the same
/// store within a second).
#[tauri::command]
pub async fn live_revoke_key(state: State<'_, AppState>, id: i64) -> Reply<LiveStatus> {
    let store = state.detached(false)?.open_store()?;
    keys::revoke(&store, id)?;
    if let Some(r) = state.live.running.lock().await.as_ref() {
        r.collector.reload_keys(&store)?;
    }
    status(&state).await
}

/// The open pixel and signed click links of the workspace's test sends (`[live] base_url`).
///
/// # Errors
/// A wrong base URL, or the store failed.
pub fn tracking(
    ws: &tessera_workspace::Workspace,
) -> Reply<Option<std::sync::Arc<dyn tessera_workspace::send::Tracking>>> {
    tessera_live::tracking::for_workspace(ws).map_err(|e| IpcError {
        code: tessera_workspace::ErrorKind::SendRefused,
        message: e.to_string(),
    })
}

/// Forwards stored calls to the window in batches, at most every [`FORWARD_EVERY`].
async fn forward(window: Window, mut receiver: tokio::sync::broadcast::Receiver<Vec<Activity>>) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let mut batch = match receiver.recv().await {
            Ok(rows) => rows,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        tokio::time::sleep(FORWARD_EVERY).await;
        loop {
            match receiver.try_recv() {
                Ok(rows) => batch.extend(rows),
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {}
                Err(_) => break,
            }
        }
        // The newest calls matter on screen; older ones of a burst are in the counters.
        let skip = batch.len().saturating_sub(FORWARD_MAX);
        let _ = window.emit(LIVE_ACTIVITY_EVENT, &batch[skip..]);
    }
}

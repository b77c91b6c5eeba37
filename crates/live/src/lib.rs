//! # tessera-live
//!
//! The live collector behind `tessera serve`: the Segment HTTP Tracking API (`/v1/identify`,
//! `/v1/track`, `/v1/page`, `/v1/screen`, `/v1/alias`, `/v1/group`, `/v1/batch`) on axum, with one
//! writer thread that commits many requests per transaction (`writer`), a queue bounded in bytes
//! (429 with `Retry-After` when full), Segment's size limits (413), write and read keys stored
//! hashed in the store (`keys`), and segment entries and exits as server-sent events
//! (`GET /v1/stream`), the read side (`GET /v1/profiles/<id>`, `GET /v1/segments/<name>/members`),
//! webhooks (`POST /hooks/<name>`, signed), tracking pixels (`GET /v1/pixel/<method>`, always a 1x1 GIF),
//! and the signed feeds of AMP live blocks (`GET /feeds/<email>/<block>?t=`, `feeds`).
#![deny(missing_docs)]

pub mod activity;
pub mod embedded;
pub mod feeds;
pub mod hooks;
pub mod images;
pub mod keys;
pub mod pixel;
pub mod read;
pub mod redirect;
pub mod segment;
pub mod server;
pub mod stream;
pub mod token;
pub mod tracking;
pub mod writer;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use tessera_store::live::{KeyInfo, KeyKind};
use tessera_workspace::Workspace;

/// Why the collector could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The workspace or its store could not be opened.
    #[error(transparent)]
    Workspace(#[from] tessera_workspace::WorkspaceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] tessera_store::StoreError),
    /// `[live]` in tessera.toml is invalid.
    #[error("tessera.toml: {0}")]
    Config(String),
    /// The address is not on loopback and `--public` was not given.
    #[error("--listen {0}: not a loopback address; add --public to listen beyond this machine (and put TLS in front, see the README)")]
    NotLoopback(SocketAddr),
    /// The address could not be bound or the server failed.
    #[error("--listen {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// No random bytes for a key.
    #[error("no random bytes for a key: {0}")]
    Random(String),
    /// The collector stopped before it listened, or failed while running.
    #[error("the collector stopped unexpectedly")]
    Stopped,
}

impl LiveError {
    /// The workspace's classification of this error (how the desktop app shows it).
    #[must_use]
    pub fn kind(&self) -> tessera_workspace::ErrorKind {
        use tessera_workspace::ErrorKind;
        match self {
            Self::Workspace(e) => e.kind(),
            Self::Store(e) => tessera_workspace::error::store_kind(e),
            Self::Config(_) => ErrorKind::InvalidDocument,
            Self::NotLoopback(_) => ErrorKind::BadName,
            Self::Listen { .. } => ErrorKind::Io,
            Self::Random(_) | Self::Stopped => ErrorKind::Internal,
        }
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Allow an address beyond loopback.
    pub public: bool,
    /// Queue bound in bytes of queued calls, estimated at 4x their bodies (429 beyond it).
    pub queue_bytes: usize,
    /// How often segments are re-evaluated for windows that move with time.
    pub reevaluate_every: Duration,
    /// Answer after the commit without waiting for `fsync` (the write-ahead log is synced at
    /// checkpoints): a commit is then durable against the process being killed, not against a
    /// power loss. Off by default: every group commit waits for the disk (see `docs/live.md`).
    pub sync_at_checkpoints: bool,
}

impl ServeOptions {
    /// Loopback port 8787, a 64 MB queue, re-evaluation every five minutes, every commit synced
    /// to the disk before its calls are answered.
    #[must_use]
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            public: false,
            queue_bytes: 64 << 20,
            reevaluate_every: Duration::from_secs(300),
            sync_at_checkpoints: false,
        }
    }
}

/// Runs the collector on `ws`'s store until `shutdown` completes; `on_ready` gets the bound
/// address (port 0 picks a free one).
///
/// # Errors
/// The workspace, store or configuration could not be used, or the address not bound.
pub async fn serve(
    ws: &Workspace,
    options: &ServeOptions,
    on_ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), LiveError> {
    serve_observed(ws, options, None, |ready| on_ready(ready.addr), shutdown).await
}

/// A collector that is listening: its address and counters.
#[derive(Debug, Clone)]
pub struct Ready {
    /// The bound address.
    pub addr: SocketAddr,
    /// Events stored, 429s, refused calls, failed commits.
    pub counters: Arc<writer::Counters>,
    /// The keys in force (the writer re-reads them every second).
    pub keys: Arc<std::sync::RwLock<writer::KeyList>>,
}

/// [`serve`], publishing each commit's calls to `activity` (the desktop app's Live data screen)
/// and handing `on_ready` the counters too.
///
/// # Errors
/// As [`serve`].
pub async fn serve_observed(
    ws: &Workspace,
    options: &ServeOptions,
    activity: Option<activity::ActivitySender>,
    on_ready: impl FnOnce(Ready),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), LiveError> {
    if !options.public && !options.listen.ip().is_loopback() {
        return Err(LiveError::NotLoopback(options.listen));
    }
    let events = segment::EventMap::new(&ws.config.live.events).map_err(LiveError::Config)?;
    // The workspace's segment files as the store evaluates them (changed ones re-evaluated).
    let store = ws.open_store_with_segments(tessera_store::now_ms())?;
    if options.sync_at_checkpoints {
        store.sync_at_checkpoints_only()?;
    }
    let (stream, _) = tokio::sync::broadcast::channel(4096);
    let (writer, thread) = writer::start(
        store,
        writer::WriterOptions {
            queue_bytes: options.queue_bytes,
            reevaluate_every: options.reevaluate_every,
            normalization: ws.import_rules(),
            activity,
        },
        stream.clone(),
    )?;
    let counters = writer.counters.clone();
    let keys = writer.keys.clone();
    let hooks = ws
        .config
        .live
        .hooks
        .iter()
        .map(|(name, settings)| hooks::Hook::new(name, settings).map(|h| (name.clone(), h)))
        .collect::<Result<_, _>>()
        .map_err(LiveError::Config)?;
    let reader = Arc::new(std::sync::Mutex::new(ws.open_store()?));
    let (live_feeds, problems) = ws.live_feeds();
    if let Some(problem) = problems.into_iter().next() {
        return Err(LiveError::Workspace(problem));
    }
    // One read connection per core and as many again, so a request waiting on SQLite leaves the
    // others theirs.
    let connections = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let stores = (0..connections)
        .map(|_| ws.open_store())
        .collect::<Result<Vec<_>, _>>()?;
    // The send-time values, in their own file: a store that fails does not take them with it.
    let sent = if live_feeds.is_empty() {
        None
    } else {
        Some(ws.open_sent_values()?)
    };
    let feeds = feeds::Feeds::new(live_feeds, ws.config.live.amp_senders.clone(), stores, sent)?;
    let shared = Arc::new(server::Shared {
        writer,
        events,
        stream,
        reader,
        hooks,
        feeds,
        images: images::Images::new(),
    });
    let listen_error = |source| LiveError::Listen {
        addr: options.listen,
        source,
    };
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(listen_error)?;
    let bound = listener.local_addr().map_err(listen_error)?;
    on_ready(Ready {
        addr: bound,
        counters,
        keys,
    });
    let app = server::router(shared);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(listen_error);
    // The router (and with it the writer's last handle) is gone: the writer drains and stops.
    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    served
}

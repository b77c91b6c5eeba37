//! The one writer: a thread that owns the store and commits whatever requests are waiting in one
//! transaction (group commit: one fsync for many requests). A request is answered only after the
//! commit that holds it. The queue is bounded in bytes: a request that does not fit is refused
//! (429) before it is queued.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tessera_store::import::Normalization;
use tessera_store::live::{KeyKind, Message, Outcome};
use tessera_store::Store;
use tokio::sync::{broadcast, oneshot};

use crate::stream::SegmentEvent;

/// Requests committed together at most.
const GROUP_MAX: usize = 4096;

/// Memory of a queued request's parsed calls, estimated from its body: this many times its bytes.
const PARSED_FACTOR: usize = 4;

/// How often the key list is re-read (a revoked key stops working within this).
const KEY_REFRESH: Duration = Duration::from_secs(1);

/// Message ids are remembered this long (Segment de-duplicates over about a day).
const DEDUP_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

/// One request's calls and where to send the outcomes.
struct Job {
    messages: Vec<Message>,
    bytes: usize,
    reply: oneshot::Sender<Result<Vec<Outcome>, String>>,
}

/// The hashes and kinds of the keys in force.
pub type KeyList = Vec<([u8; 32], KeyKind)>;

/// Counters the server shows.
#[derive(Debug, Default)]
pub struct Counters {
    /// Events stored.
    pub events: AtomicU64,
    /// Requests refused because the queue was full.
    pub overloaded: AtomicU64,
    /// Calls refused (400, per item).
    pub rejected: AtomicU64,
    /// Commits that failed.
    pub failures: AtomicU64,
}

/// The handle requests use to reach the writer.
#[derive(Clone)]
pub struct WriterHandle {
    jobs: Sender<Job>,
    queued: Arc<AtomicUsize>,
    limit: usize,
    /// Keys in force, by hash.
    pub keys: Arc<RwLock<KeyList>>,
    /// Counters.
    pub counters: Arc<Counters>,
}

/// Why a request could not be queued or committed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The queue is full: try again later (429).
    #[error("the collector is busy; retry later")]
    Busy,
    /// The commit failed (500): nothing of the request was stored.
    #[error("the store could not commit: {0}")]
    Store(String),
}

impl WriterHandle {
    /// Queues a request's calls and waits for their commit.
    ///
    /// # Errors
    /// A full queue, or a failed commit.
    pub async fn write(&self, messages: Vec<Message>, bytes: usize) -> Result<Vec<Outcome>, WriteError> {
        // Parsed calls take a few times their body's bytes: the bound is on that estimate. A
        // request always fits an empty queue, so a small bound never starves a large batch.
        let bytes = bytes.saturating_mul(PARSED_FACTOR);
        let before = self.queued.fetch_add(bytes, Ordering::AcqRel);
        if before > 0 && before + bytes > self.limit {
            self.queued.fetch_sub(bytes, Ordering::AcqRel);
            self.counters.overloaded.fetch_add(1, Ordering::Relaxed);
            return Err(WriteError::Busy);
        }
        let (reply, answer) = oneshot::channel();
        if self.jobs.send(Job { messages, bytes, reply }).is_err() {
            self.queued.fetch_sub(bytes, Ordering::AcqRel);
            return Err(WriteError::Store("the writer has stopped".to_owned()));
        }
        match answer.await {
            Ok(Ok(outcomes)) => Ok(outcomes),
            Ok(Err(e)) => Err(WriteError::Store(e)),
            Err(_) => Err(WriteError::Store("the writer has stopped".to_owned())),
        }
    }
}

/// How the writer runs.
pub struct WriterOptions {
    /// Queue bound in bytes.
    pub queue_bytes: usize,
    /// How often windows that move with time are re-evaluated.
    pub reevaluate_every: Duration,
    /// Import rules (SKUs, taxonomy) for identify.
    pub normalization: Normalization,
    /// Where each commit's calls are published for the desktop app (none: `tessera serve`).
    pub activity: Option<crate::activity::ActivitySender>,
}

/// Starts the writer thread on `store`.
///
/// # Errors
/// The store's session or key list could not be read.
pub fn start(
    mut store: Store,
    options: WriterOptions,
    stream: broadcast::Sender<SegmentEvent>,
) -> Result<(WriterHandle, std::thread::JoinHandle<()>), tessera_store::StoreError> {
    let batch = store.live_session("tessera serve", tessera_store::now_ms())?;
    let keys = Arc::new(RwLock::new(store.active_live_keys()?));
    let (jobs, received) = channel();
    let handle = WriterHandle {
        jobs,
        queued: Arc::new(AtomicUsize::new(0)),
        limit: options.queue_bytes,
        keys: keys.clone(),
        counters: Arc::new(Counters::default()),
    };
    let queued = handle.queued.clone();
    let counters = handle.counters.clone();
    let thread = std::thread::Builder::new()
        .name("tessera-writer".to_owned())
        .spawn(move || {
            run(
                &mut store, batch, &options, &received, &queued, &keys, &counters, &stream,
            );
        })
        .map_err(|source| tessera_store::StoreError::Io {
            path: std::path::PathBuf::from("tessera-writer"),
            source,
        })?;
    Ok((handle, thread))
}

#[allow(clippy::too_many_arguments)]
fn run(
    store: &mut Store,
    batch: i64,
    options: &WriterOptions,
    received: &Receiver<Job>,
    queued: &AtomicUsize,
    keys: &RwLock<KeyList>,
    counters: &Counters,
    stream: &broadcast::Sender<SegmentEvent>,
) {
    let mut keys_read = Instant::now();
    let mut evaluated = Instant::now();
    loop {
        let first = match received.recv_timeout(Duration::from_millis(200)) {
            Ok(job) => Some(job),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if keys_read.elapsed() >= KEY_REFRESH {
            if let Ok(fresh) = store.active_live_keys() {
                if let Ok(mut k) = keys.write() {
                    *k = fresh;
                }
            }
            keys_read = Instant::now();
        }
        if evaluated.elapsed() >= options.reevaluate_every {
            reevaluate(store, stream);
            evaluated = Instant::now();
        }
        let Some(first) = first else { continue };
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match received.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let now = tessera_store::now_ms();
        let (messages, replies): (Vec<Vec<Message>>, Vec<_>) =
            group.into_iter().map(|j| (j.messages, (j.bytes, j.reply))).unzip();
        let result = store.apply_live(batch, &messages, &options.normalization, now, now);
        let freed: usize = replies.iter().map(|(b, _)| *b).sum();
        queued.fetch_sub(freed, Ordering::AcqRel);
        match result {
            Ok(applied) => {
                counters.events.fetch_add(applied.events, Ordering::Relaxed);
                crate::stream::publish(stream, &applied.changes, now);
                if let Some(activity) = &options.activity {
                    crate::activity::publish(activity, store, &messages, &applied, now);
                }
                for ((_, reply), outcomes) in replies.into_iter().zip(applied.outcomes) {
                    let rejected = outcomes
                        .iter()
                        .filter(|o| matches!(o, Outcome::Rejected { .. }))
                        .count();
                    counters.rejected.fetch_add(rejected as u64, Ordering::Relaxed);
                    let _ = reply.send(Ok(outcomes));
                }
            }
            Err(e) => {
                counters.failures.fetch_add(1, Ordering::Relaxed);
                let text = e.to_string();
                for (_, reply) in replies {
                    let _ = reply.send(Err(text.clone()));
                }
            }
        }
    }
}

/// Re-evaluates every segment as of now (windows such as "in the last 48 h" move with time) and
/// forgets message ids older than the de-duplication window.
fn reevaluate(store: &mut Store, stream: &broadcast::Sender<SegmentEvent>) {
    let now = tessera_store::now_ms();
    if let Ok(changes) = store.reevaluate_segments(now) {
        crate::stream::publish(stream, &changes, now);
    }
    let _ = store.forget_live_messages(now - DEDUP_WINDOW_MS);
}

//! The collector started inside another program (the desktop app's Live data screen): the same
//! router and writer as `tessera serve`, on the caller's tokio runtime (Tauri's async runtime is
//! tokio), stopped on request.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tessera_workspace::Workspace;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::activity::ActivitySender;
use crate::writer::{Counters, KeyList};
use crate::{serve_observed, LiveError, ServeOptions};
use tessera_store::Store;

/// A stop waits this long for open connections (an external `/v1/stream` reader holds one open
/// for ever) before the server is dropped; the writer still finishes its last commit.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// A running collector.
#[derive(Debug)]
pub struct Collector {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Events stored, 429s, refused calls, failed commits.
    pub counters: Arc<Counters>,
    keys: Arc<RwLock<KeyList>>,
    stop: Option<oneshot::Sender<()>>,
    finished: JoinHandle<Result<(), LiveError>>,
}

impl Collector {
    /// Starts the collector on `ws`'s store on the current tokio runtime and returns once it
    /// listens; each commit's calls go to `activity`.
    ///
    /// # Errors
    /// As [`crate::serve`]: the workspace, store or configuration could not be used, or the
    /// address not bound.
    pub async fn start(
        ws: Workspace,
        options: ServeOptions,
        activity: Option<ActivitySender>,
    ) -> Result<Self, LiveError> {
        let (ready_tx, ready_rx) = oneshot::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let finished = tokio::spawn(async move {
            serve_observed(
                &ws,
                &options,
                activity,
                move |ready| {
                    let _ = ready_tx.send(ready);
                },
                async move {
                    let _ = stopped.await;
                },
            )
            .await
        });
        match ready_rx.await {
            Ok(ready) => Ok(Self {
                addr: ready.addr,
                counters: ready.counters,
                keys: ready.keys,
                stop: Some(stop),
                finished,
            }),
            // It ended before listening: its error says why.
            Err(_) => match finished.await {
                Ok(Err(e)) => Err(e),
                Ok(Ok(())) | Err(_) => Err(LiveError::Stopped),
            },
        }
    }

    /// Puts the keys in force in `store` to work now (a key just created or revoked), instead of
    /// at the writer's next re-read within a second.
    ///
    /// # Errors
    /// The store failed.
    pub fn reload_keys(&self, store: &Store) -> Result<(), LiveError> {
        let fresh = store.active_live_keys()?;
        if let Ok(mut keys) = self.keys.write() {
            *keys = fresh;
        }
        Ok(())
    }

    /// Stops listening and waits for the writer's last commit (open connections get a few
    /// seconds to finish).
    ///
    /// # Errors
    /// The server failed while running.
    pub async fn stop(mut self) -> Result<(), LiveError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match tokio::time::timeout(STOP_GRACE, &mut self.finished).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(LiveError::Stopped),
            Err(_) => {
                // Dropping the server drops the writer's handles: it drains and stops.
                self.finished.abort();
                Ok(())
            }
        }
    }
}

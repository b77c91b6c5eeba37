//! `tessera serve` and `tessera keys ...`: argument types and output; the collector is
//! `tessera-live`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use tessera_live::KeyKind;
use tessera_workspace::{clock, Workspace};

use crate::{emit, out};

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (loopback unless --public).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Allow an address beyond loopback (put TLS in front of it: see the README).
    #[arg(long)]
    public: bool,
    /// Re-evaluate segments (windows that move with time) every SECONDS.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    reevaluate_every: u64,
    /// Bound of the request queue in MB of memory, estimated at 4x the bodies queued (429 with
    /// Retry-After beyond it).
    #[arg(long, value_name = "MB", default_value_t = 64)]
    queue_mb: usize,
    /// Answer after the commit without waiting for the disk (the write-ahead log reaches it at
    /// each checkpoint): faster, and acknowledged events still survive the collector being killed,
    /// but a power loss or an operating-system crash can lose the last ones. Without it every
    /// group commit waits for the disk before its calls are answered.
    #[arg(long)]
    sync_at_checkpoints: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Create a key; the secret is printed once (the store keeps only its hash).
    Create {
        /// A write key (Segment's write key: sends data).
        #[arg(long, conflicts_with = "read", required_unless_present = "read")]
        write: bool,
        /// A read key (profiles, segment members, the stream).
        #[arg(long)]
        read: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the keys (id, kind, prefix, created, revoked); never the secrets.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by id: it stops working within a second, also for a running `tessera serve`.
    Revoke {
        /// The key's id (from `tessera keys list`).
        id: i64,
    },
    /// Make a new signing key (for feed, live-image and redirect tokens) the one that signs; the
    /// older ones keep verifying, so links already sent work until they expire. The secret stays
    /// in the store and is never printed.
    RotateSigning,
    /// Revoke a signing key by id: every token it signed is refused from now on.
    RevokeSigning {
        /// The signing key's id (printed by `tessera keys rotate-signing`).
        id: i64,
    },
}

pub(crate) fn run_serve(workspace: Option<&Path>, cwd: &Path, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let ws = Workspace::discover(workspace, cwd)?;
    let mut options = tessera_live::ServeOptions::new(args.listen);
    options.public = args.public;
    options.queue_bytes = args.queue_mb.max(1) << 20;
    options.reevaluate_every = std::time::Duration::from_secs(args.reevaluate_every.max(1));
    options.sync_at_checkpoints = args.sync_at_checkpoints;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(tessera_live::serve(
        &ws,
        &options,
        |addr| {
            let _ = emit(&format!(
                "tessera serve: listening on http://{addr} ({})",
                ws.describe()
            ));
        },
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_keys(workspace: Option<&Path>, cwd: &Path, command: &KeysCommand) -> anyhow::Result<ExitCode> {
    let ws = Workspace::discover(workspace, cwd)?;
    let mut store = ws.open_store()?;
    match command {
        KeysCommand::Create { read, json, .. } => {
            let kind = if *read { KeyKind::Read } else { KeyKind::Write };
            let key = tessera_live::keys::create(&store, kind)?;
            if *json {
                out!("{}", serde_json::to_string_pretty(&key)?);
            } else {
                out!("{} key {} created: {}", key.kind, key.id, key.secret);
                out!("Keep it now: it is not shown again.");
            }
        }
        KeysCommand::List { json } => {
            let keys = tessera_live::keys::list(&store)?;
            if *json {
                out!("{}", serde_json::to_string_pretty(&keys)?);
            } else if keys.is_empty() {
                out!("No keys (create one with `tessera keys create --write`).");
            } else {
                for k in keys {
                    let revoked = k
                        .revoked_at
                        .map_or(String::new(), |t| format!("  revoked {}", clock::rfc3339(t)));
                    out!(
                        "{:>4}  {:<5}  {}…  created {}{revoked}",
                        k.id,
                        k.kind,
                        k.prefix,
                        clock::rfc3339(k.created_at)
                    );
                }
            }
        }
        KeysCommand::RotateSigning => {
            let id = tessera_live::token::rotate(&mut store)?;
            out!(
                "signing key {id} now signs; older signing keys still verify the tokens they signed until those expire"
            );
        }
        KeysCommand::RevokeSigning { id } => {
            if store.revoke_signing_key(*id, clock::now_ms())? {
                out!("signing key {id} revoked: its tokens are refused from now on");
            } else {
                anyhow::bail!("no signing key {id} in force");
            }
        }
        KeysCommand::Revoke { id } => {
            if tessera_live::keys::revoke(&store, *id)? {
                out!("key {id} revoked");
            } else {
                anyhow::bail!("no key {id} in force (see `tessera keys list`)");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

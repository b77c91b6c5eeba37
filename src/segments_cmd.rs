//! `tessera segments ...` and `tessera preview-matrix`: argument types and output formatting; the
//! work is in `tessera-workspace` and `tessera-store`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use tessera_workspace::{Workspace, WorkspaceError};

use crate::{emit, out};

#[derive(Debug, Subcommand)]
pub(crate) enum SegmentsCommand {
    /// List the workspace's segments with their current sizes (when the store exists).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one segment: its rule in words, what it depends on, its SQL and size.
    Show {
        /// The segment name (segments/<NAME>.json).
        name: String,
        /// Evaluate as of this instant (RFC 3339; default now).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Count the current members of every segment (or one).
    Count {
        /// Only this segment.
        name: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the current members of a segment.
    Members {
        /// The segment name.
        name: String,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Re-evaluate every segment over every profile (RFM cut points and bestsellers recomputed).
    Refresh {
        /// Evaluate as of this instant (RFC 3339; default now).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct PreviewMatrixArgs {
    /// An email name (e.g. abandoned-cart) or a path to a .email.json file.
    email: String,
    /// Output folder for the renders and index.html.
    #[arg(long, value_name = "DIR", default_value = "preview-matrix")]
    out: PathBuf,
    /// Evaluate segments and recommendations as of this instant (RFC 3339; default now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
    /// Print the matrix as JSON.
    #[arg(long)]
    json: bool,
}

/// `--as-of` as epoch milliseconds (now when absent).
fn as_of(text: Option<&str>) -> Result<i64, WorkspaceError> {
    let Some(text) = text else {
        return Ok(tessera_store::now_ms());
    };
    let zone = tessera_store::validate::timestamp::Zone::Utc;
    tessera_store::validate::timestamp::parse_timestamp(text, &zone)
        .map(|t| i64::try_from(t.utc.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
        .map_err(|e| WorkspaceError::from(tessera_store::StoreError::Option(format!("--as-of: {e}"))))
}

pub(crate) fn run_segments(workspace: Option<&Path>, cwd: &Path, command: SegmentsCommand) -> anyhow::Result<ExitCode> {
    let ws = Workspace::discover(workspace, cwd)?;
    let set = ws.segments()?;
    let store_exists = ws.store_path().is_ok_and(|p| p.is_file());
    match command {
        SegmentsCommand::List { json } => {
            let sizes = if store_exists {
                ws.open_store_with_segments(tessera_store::now_ms())?
                    .segment_summaries()
                    .map_err(WorkspaceError::from)?
            } else {
                Vec::new()
            };
            let rows: Vec<serde_json::Value> = set
                .iter()
                .map(|s| {
                    let size = sizes.iter().find(|x| x.name == s.name);
                    serde_json::json!({"name": s.name, "description": s.description,
                        "members": size.map(|x| x.members), "evaluated_at": size.and_then(|x| x.evaluated_at.clone())})
                })
                .collect();
            if json {
                out!("{}", serde_json::to_string_pretty(&rows)?);
            } else if rows.is_empty() {
                out!("No segments in {} (add segments/<name>.json).", ws.describe());
            } else {
                for r in &rows {
                    let members = r["members"].as_u64().map_or("-".to_owned(), |m| m.to_string());
                    out!(
                        "{:<24} {:>8}  {}",
                        r["name"].as_str().unwrap_or_default(),
                        members,
                        r["description"].as_str().unwrap_or_default()
                    );
                }
            }
        }
        SegmentsCommand::Show { name, as_of: at, json } => {
            let at = as_of(at.as_deref())?;
            let segment = set.require(&name).map_err(|source| WorkspaceError::Segments {
                path: PathBuf::from("segments"),
                source,
            })?;
            let deps = set.deps(&name);
            let (members, sql) = if store_exists {
                let store = ws.open_store_with_segments(at)?;
                let size = store
                    .segment_summaries()
                    .map_err(WorkspaceError::from)?
                    .into_iter()
                    .find(|s| s.name == name)
                    .map(|s| s.members);
                (
                    size,
                    Some(store.segment_sql(&name, at).map_err(WorkspaceError::from)?.sql),
                )
            } else {
                (None, None)
            };
            if json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "name": segment.name, "description": segment.description, "rule": segment.rule.to_string(),
                        "definition": segment.definition, "depends_on": deps, "members": members, "sql": sql
                    }))?
                );
            } else {
                out!("{}: {}", segment.name, segment.description);
                out!("  rule: {}", segment.rule);
                let mut on: Vec<String> = deps.events.iter().map(|e| format!("{e} events")).collect();
                if deps.attributes {
                    on.insert(0, "profile fields".to_owned());
                }
                out!(
                    "  changes with: {}",
                    if on.is_empty() {
                        "nothing".to_owned()
                    } else {
                        on.join(", ")
                    }
                );
                if let Some(m) = members {
                    out!("  members: {m}");
                }
                if let Some(sql) = sql {
                    out!("  sql: {sql}");
                }
            }
        }
        SegmentsCommand::Count { name, json } => {
            if let Some(n) = &name {
                set.require(n).map_err(|source| WorkspaceError::Segments {
                    path: PathBuf::from("segments"),
                    source,
                })?;
            }
            let store = ws.open_store_with_segments(tessera_store::now_ms())?;
            let sizes: Vec<_> = store
                .segment_summaries()
                .map_err(WorkspaceError::from)?
                .into_iter()
                .filter(|s| name.as_ref().is_none_or(|n| *n == s.name))
                .collect();
            if json {
                out!("{}", serde_json::to_string_pretty(&sizes)?);
            } else {
                for s in &sizes {
                    out!("{:<24} {:>8}", s.name, s.members);
                }
            }
        }
        SegmentsCommand::Members { name, limit, json } => {
            set.require(&name).map_err(|source| WorkspaceError::Segments {
                path: PathBuf::from("segments"),
                source,
            })?;
            let store = ws.open_store_with_segments(tessera_store::now_ms())?;
            let members = store.segment_members(&name, limit).map_err(WorkspaceError::from)?;
            if json {
                out!("{}", serde_json::to_string_pretty(&members)?);
            } else if members.is_empty() {
                out!("No members in {name}.");
            } else {
                for m in &members {
                    let who = format!(
                        "{} {}",
                        m.first_name.as_deref().unwrap_or(""),
                        m.last_name.as_deref().unwrap_or("")
                    );
                    out!("{:>7}  {:<40} {:<30} since {}", m.id, m.email, who.trim(), m.entered_at);
                }
            }
        }
        SegmentsCommand::Refresh { as_of: at, json } => {
            let at = as_of(at.as_deref())?;
            let started = std::time::Instant::now();
            let changes = ws.refresh_segments(at)?;
            let store = ws.open_store()?;
            let sizes = store.segment_summaries().map_err(WorkspaceError::from)?;
            if json {
                let rows: Vec<serde_json::Value> = sizes
                    .iter()
                    .map(|s| {
                        let c = changes.get(&s.name);
                        serde_json::json!({"name": s.name, "members": s.members,
                            "entered": c.map_or(0, |c| c.entered.len()), "left": c.map_or(0, |c| c.left.len())})
                    })
                    .collect();
                out!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                out!(
                    "Evaluated {} segment(s) as of {} in {} ms:",
                    sizes.len(),
                    tessera_store::ms_to_rfc3339(at),
                    started.elapsed().as_millis()
                );
                for s in &sizes {
                    let c = changes.get(&s.name);
                    out!(
                        "  {:<24} {:>8} members (+{} −{})",
                        s.name,
                        s.members,
                        c.map_or(0, |c| c.entered.len()),
                        c.map_or(0, |c| c.left.len())
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_preview_matrix(
    workspace: Option<&Path>,
    cwd: &Path,
    args: &PreviewMatrixArgs,
) -> anyhow::Result<ExitCode> {
    let mut ws = Workspace::discover(workspace, cwd)?;
    let entry = ws.email(&args.email)?;
    let matrix = ws.preview_matrix(&entry, as_of(args.as_of.as_deref())?)?;
    matrix.write(&args.out)?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&matrix)?);
        return Ok(ExitCode::SUCCESS);
    }
    out!(
        "{}: {} case(s); segments referred to: {}",
        matrix.email,
        matrix.cases.len(),
        if matrix.segments.is_empty() {
            "none".to_owned()
        } else {
            matrix.segments.join(", ")
        }
    );
    for c in &matrix.cases {
        out!(
            "  {:<26} {:>6.1} KB  sees {}",
            c.name,
            c.html_bytes as f64 / 1024.0,
            c.visible_blocks.join(", ")
        );
        for p in &c.empty_placeholders {
            out!("      empty: {p}");
        }
    }
    if matrix.unreached_blocks.is_empty() {
        out!("Every block is reached by some case.");
    } else {
        out!("Blocks no case reaches: {}", matrix.unreached_blocks.join(", "));
    }
    for n in &matrix.notes {
        out!("note: {n}");
    }
    out!(
        "Open {} to compare the renders side by side.",
        args.out.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}

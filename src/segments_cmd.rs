//! `tessera segments ...` and `tessera preview-matrix`: argument types and output formatting; the
//! work is in `tessera-workspace`, the same functions the desktop app calls.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use tessera_workspace::qa::{Finding, Level, QaAs};
use tessera_workspace::{clock, segments, Workspace};

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
fn as_of(text: Option<&str>) -> anyhow::Result<i64> {
    match text {
        None => Ok(clock::now_ms()),
        Some(text) => clock::parse_instant(text).map_err(|e| anyhow::anyhow!("--as-of: {e}")),
    }
}

pub(crate) fn run_segments(workspace: Option<&Path>, cwd: &Path, command: SegmentsCommand) -> anyhow::Result<ExitCode> {
    let ws = Workspace::discover(workspace, cwd)?;
    match command {
        SegmentsCommand::List { json } => {
            let rows = segments::list(&ws, clock::now_ms())?;
            if json {
                out!("{}", serde_json::to_string_pretty(&rows)?);
            } else if rows.is_empty() {
                out!("No segments in {} (add segments/<name>.json).", ws.describe());
            } else {
                for r in &rows {
                    let members = r.members.map_or("-".to_owned(), |m| m.to_string());
                    out!("{:<24} {:>8}  {}", r.name, members, r.description);
                }
            }
        }
        SegmentsCommand::Show { name, as_of: at, json } => {
            let detail = ws.segment_detail(&name, as_of(at.as_deref())?)?;
            if json {
                out!("{}", serde_json::to_string_pretty(&detail)?);
            } else {
                out!("{}: {}", detail.name, detail.description);
                out!("  rule: {}", detail.rule);
                let deps = &detail.depends_on;
                let mut on: Vec<String> = deps.events.iter().map(|e| format!("{e} events")).collect();
                on.extend(deps.custom_events.iter().map(|n| format!("{n:?} custom events")));
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
                if let Some(m) = detail.members {
                    out!("  members: {m}");
                }
                if let Some(sql) = &detail.sql {
                    out!("  sql: {sql}");
                }
            }
        }
        SegmentsCommand::Count { name, json } => {
            let sizes = ws.segment_counts(name.as_deref(), clock::now_ms())?;
            if json {
                out!("{}", serde_json::to_string_pretty(&sizes)?);
            } else {
                for s in &sizes {
                    out!("{:<24} {:>8}", s.name, s.members);
                }
            }
        }
        SegmentsCommand::Members { name, limit, json } => {
            let members = ws.segment_members(&name, limit, clock::now_ms())?;
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
            let sizes = ws.refresh_segment_sizes(at)?;
            if json {
                out!("{}", serde_json::to_string_pretty(&sizes)?);
            } else {
                out!(
                    "Evaluated {} segment(s) as of {} in {} ms:",
                    sizes.len(),
                    clock::rfc3339(at),
                    started.elapsed().as_millis()
                );
                for s in &sizes {
                    out!("  {:<24} {:>8} members (+{} −{})", s.name, s.members, s.entered, s.left);
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
    let at = as_of(args.as_of.as_deref())?;
    let matrix = ws.preview_matrix(&entry, at)?;
    matrix.write(&args.out)?;
    // The pre-send QA of every case: a block only one segment sees can break only its email.
    let qa = ws.qa(&entry, &QaAs::AllSegments, None, at)?;
    tessera_workspace::write_atomic(&args.out.join("qa.json"), serde_json::to_string_pretty(&qa)?.as_bytes())?;
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
        if let Some(report) = qa.cases.iter().find(|q| q.name == c.name).map(|q| &q.report) {
            let count = |l: Level| {
                report
                    .findings
                    .iter()
                    .filter(|f| f.ignored.is_none() && f.level == l)
                    .count()
            };
            let failing: Vec<&Finding> = report.findings.iter().filter(|f| f.fails).collect();
            out!(
                "      qa: {} failing, {} error(s), {} warning(s)",
                failing.len(),
                count(Level::Error),
                count(Level::Warning)
            );
            for f in failing {
                let block = f
                    .block
                    .as_deref()
                    .map(|b| format!("block \"{b}\": "))
                    .unwrap_or_default();
                out!("        fails: {block}{} ({})", f.message, f.rule);
            }
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
        "Open {} to compare the renders side by side; {} holds the QA of every case.",
        args.out.join("index.html").display(),
        args.out.join("qa.json").display()
    );
    Ok(ExitCode::SUCCESS)
}

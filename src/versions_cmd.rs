//! Version commands: `save`, `history`, `diff`, `restore` and `blocks usage` (docs/versions.md).

use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;
use tessera_core::diff::{BlockChange, ValueChange};
use tessera_core::export::Target;
use tessera_workspace::history::{BlockUsage, EmailDiff, Version};
use tessera_workspace::Workspace;

use crate::{emit, out};

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people.
    Text,
    /// JSON for programs (the desktop app).
    Json,
}

/// Arguments of `tessera save`.
#[derive(Debug, clap::Args)]
pub struct SaveArgs {
    /// What changed, for the history.
    #[arg(short, long)]
    message: String,
    /// Who saved it (default: git's user.name and user.email).
    #[arg(long, value_name = "NAME <EMAIL>")]
    author: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Arguments of `tessera history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Only versions that changed this email (its document or its exports).
    email: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Arguments of `tessera diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The email.
    email: String,
    /// The older version (default: the last version). `working` is the working copy.
    from: Option<String>,
    /// The newer version (default: the working copy).
    to: Option<String>,
    /// Also show the exported template for this ESP as a unified diff.
    #[arg(long, value_name = "TARGET")]
    target: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Arguments of `tessera restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The email.
    email: String,
    /// The version to bring back (an id from `tessera history`, or a prefix of one).
    #[arg(value_name = "VERSION")]
    from_version: String,
}

/// Arguments of `tessera blocks usage`.
#[derive(Debug, clap::Args)]
pub struct UsageArgs {
    /// The block type.
    block_type: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

fn open(workspace: Option<&Path>, cwd: &Path) -> anyhow::Result<Workspace> {
    Ok(Workspace::discover(workspace, cwd)?)
}

/// Runs `tessera save`.
///
/// # Errors
/// The workspace, the author, an export or git fails.
pub fn run_save(workspace: Option<&Path>, cwd: &Path, args: &SaveArgs) -> anyhow::Result<ExitCode> {
    let mut ws = open(workspace, cwd)?;
    let saved = ws.save_version(&args.message, args.author.as_deref())?;
    if args.format == Format::Json {
        out!("{}", serde_json::to_string_pretty(&saved)?);
        return Ok(ExitCode::SUCCESS);
    }
    let v = &saved.version;
    out!("Saved version {}: {}", v.short_id, v.message);
    if !saved.changed_emails.is_empty() {
        out!("  emails changed: {}", saved.changed_emails.join(", "));
    }
    for e in &saved.exports {
        out!("  re-exported {} to {}", e.email, e.target);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `tessera history`.
///
/// # Errors
/// The workspace or git fails, or the email is unknown.
pub fn run_history(workspace: Option<&Path>, cwd: &Path, args: &HistoryArgs) -> anyhow::Result<ExitCode> {
    let ws = open(workspace, cwd)?;
    let versions = ws.history(args.email.as_deref())?;
    if args.format == Format::Json {
        out!("{}", serde_json::to_string_pretty(&versions)?);
        return Ok(ExitCode::SUCCESS);
    }
    if versions.is_empty() {
        out!("No versions yet: save one with `tessera save -m MESSAGE`.");
    }
    for v in &versions {
        print_version(v)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_version(v: &Version) -> std::io::Result<()> {
    out!("{}  {}  {} <{}>", v.short_id, v.time, v.author_name, v.author_email);
    for line in v.message.lines() {
        out!("    {line}");
    }
    let mut what = Vec::new();
    if !v.emails.is_empty() {
        what.push(format!("emails: {}", v.emails.join(", ")));
    }
    if !v.blocks.is_empty() {
        what.push(format!("blocks: {}", v.blocks.join(", ")));
    }
    if what.is_empty() {
        what.push(format!("{} file(s)", v.files.len()));
    }
    out!("    ({})", what.join("; "));
    Ok(())
}

/// Runs `tessera diff`.
///
/// # Errors
/// The workspace, a version, the email or an export fails.
pub fn run_diff(workspace: Option<&Path>, cwd: &Path, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let target = args.target.as_deref().map(str::parse::<Target>).transpose()?;
    let mut ws = open(workspace, cwd)?;
    let diff = ws.diff(&args.email, args.from.as_deref(), args.to.as_deref(), target)?;
    if args.format == Format::Json {
        out!("{}", serde_json::to_string_pretty(&diff)?);
    } else {
        print_diff(&diff)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn show(value: Option<&Value>) -> String {
    let text = match value {
        None => return "(not set)".to_owned(),
        Some(v) => v.to_string(),
    };
    if text.chars().count() > 100 {
        format!("{}...", text.chars().take(100).collect::<String>())
    } else {
        text
    }
}

fn print_change(prefix: &str, c: &ValueChange) -> std::io::Result<()> {
    out!(
        "{prefix}{}: {} -> {}",
        c.name,
        show(c.old.as_ref()),
        show(c.new.as_ref())
    );
    Ok(())
}

fn print_diff(diff: &EmailDiff) -> std::io::Result<()> {
    out!("{}: {} -> {}", diff.email, diff.from.label, diff.to.label);
    let c = &diff.changes;
    if c.added {
        out!("  the email is new");
    }
    if c.removed {
        out!("  the email was removed");
    }
    if c.is_empty() {
        out!("  no changes to the design");
    }
    for e in &c.email {
        print_change("  ", e)?;
    }
    for b in &c.blocks {
        match b {
            BlockChange::Added { id, block_type, at } => out!("  + block {id} ({block_type}) added at {at}"),
            BlockChange::Removed { id, block_type, at } => {
                out!("  - block {id} ({block_type}) removed from {at}");
            }
            BlockChange::Changed {
                id,
                block_type,
                moved,
                fields,
                rules,
                fallback,
            } => {
                out!("  ~ block {id} ({block_type})");
                if let Some(m) = moved {
                    out!("      moved: {} -> {}", m.from, m.to);
                }
                for f in fields {
                    print_change("      field ", f)?;
                }
                for r in rules {
                    print_change("      rule ", r)?;
                }
                if let Some(f) = fallback {
                    print_change("      ", f)?;
                }
            }
        }
    }
    if let Some(export) = &diff.export {
        if !export.generated.is_empty() {
            out!(
                "  ({} export made now from the document: {})",
                export.target,
                export.generated.join(", ")
            );
        }
        if export.unified.is_empty() {
            out!("  the {} export is the same", export.target);
        } else {
            emit(export.unified.trim_end())?;
        }
    }
    Ok(())
}

/// Runs `tessera restore`.
///
/// # Errors
/// The workspace, the version or the email fails.
pub fn run_restore(workspace: Option<&Path>, cwd: &Path, args: &RestoreArgs) -> anyhow::Result<ExitCode> {
    let ws = open(workspace, cwd)?;
    let restored = ws.restore(&args.email, &args.from_version)?;
    out!(
        "Restored {} as of version {} into {}.",
        restored.email,
        &restored.version[..8.min(restored.version.len())],
        restored.path
    );
    out!(
        "It is a change in the working copy: review it with `tessera diff {}`, keep it with `tessera save -m MESSAGE`.",
        restored.email
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `tessera blocks usage`.
///
/// # Errors
/// The workspace or git fails, or the block type is unknown.
pub fn run_usage(workspace: Option<&Path>, cwd: &Path, args: &UsageArgs) -> anyhow::Result<ExitCode> {
    let ws = open(workspace, cwd)?;
    let usage = ws.block_usage(&args.block_type)?;
    if args.format == Format::Json {
        out!("{}", serde_json::to_string_pretty(&usage)?);
    } else {
        print_usage(&usage)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_usage(usage: &BlockUsage) -> std::io::Result<()> {
    if usage.working.is_empty() {
        out!("Working copy: no email uses {}.", usage.block_type);
    } else {
        out!("Working copy:");
        for e in &usage.working {
            out!("  {} (blocks {})", e.email, e.blocks.join(", "));
        }
    }
    if !usage.versions.is_empty() {
        out!("Versions:");
        for v in &usage.versions {
            let emails: Vec<String> = v
                .emails
                .iter()
                .map(|e| format!("{} ({})", e.email, e.blocks.join(", ")))
                .collect();
            out!(
                "  {}  {}  {}: {}",
                v.short_id,
                v.time,
                v.message.lines().next().unwrap_or(""),
                emails.join(", ")
            );
        }
    }
    for u in &usage.unreadable {
        eprintln!("note: left out: {u}");
    }
    Ok(())
}

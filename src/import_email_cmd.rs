//! `tessera import-email FILE [--name N] [--map FILE.toml] [--json] [--overwrite] [--visual]`: an existing HTML
//! or MJML email imported as blocks. The work is in `tessera-workspace` (`import_email.rs`), which
//! the desktop app's "Import email…" calls too.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tessera_workspace::import_email::{Destination, ImportEmailOptions, ImportedEmail};
use tessera_workspace::Workspace;

use crate::{emit, out};

#[derive(Debug, clap::Args)]
pub(crate) struct ImportEmailArgs {
    /// The email to import: an .html/.htm file or an .mjml file.
    file: PathBuf,
    /// The email's name (default: the file's name); it becomes emails/<name>.email.json.
    #[arg(long, value_name = "N")]
    name: Option<String>,
    /// ESP field names mapped to data paths: a [fields] table of "FNAME" = "profile.first_name".
    #[arg(long, value_name = "FILE.toml")]
    map: Option<PathBuf>,
    /// Replace an email of the same name (refused otherwise).
    #[arg(long)]
    overwrite: bool,
    /// Print the result and the whole report as JSON.
    #[arg(long)]
    json: bool,
    /// Draw the original and the import with Chromium (Debian's `chromium`, or $TESSERA_CHROMIUM)
    /// at 600 and 375 px and report the share of pixels that differ; fails when it is missing.
    #[arg(long)]
    visual: bool,
}

pub(crate) fn run(workspace: Option<&Path>, cwd: &Path, args: &ImportEmailArgs) -> anyhow::Result<ExitCode> {
    let mut ws = Workspace::discover(workspace, cwd)?;
    let resolve = |p: &PathBuf| if p.is_absolute() { p.clone() } else { cwd.join(p) };
    let options = ImportEmailOptions {
        file: resolve(&args.file),
        name: args.name.clone(),
        map_file: args.map.as_ref().map(resolve),
        overwrite: args.overwrite,
        visual: args.visual,
    };
    let imported = ws.import_email(&options)?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&imported)?);
    } else {
        print_summary(&imported)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn destination(d: &Destination) -> String {
    match d {
        Destination::Block { id, block_type } => format!("{block_type} block {id}"),
        Destination::HtmlBlock {
            id,
            reason,
            descendants,
        } => {
            format!("HTML block {id} with its {descendants} elements ({reason})")
        }
        Destination::PartOf { id, field } => format!("part of {id} ({field})"),
        Destination::Settings { keys } => format!("settings: {}", keys.join(", ")),
        Destination::Wrapper => "layout wrapper".to_owned(),
        Destination::Dropped { reason } => format!("not kept: {reason}"),
    }
}

fn print_summary(imported: &ImportedEmail) -> std::io::Result<()> {
    let r = &imported.report;
    let by_type = r
        .blocks_by_type()
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect::<Vec<_>>()
        .join(", ");
    out!(
        "Imported {} ({}) as {}: {} top-level blocks ({by_type}).",
        r.file,
        r.format,
        imported.path,
        imported.blocks
    );
    out!("Elements:");
    for e in r
        .elements
        .iter()
        .filter(|e| !matches!(e.went_to, Destination::PartOf { .. }))
    {
        out!("  line {:>5}  <{}> -> {}", e.line, e.element, destination(&e.went_to));
    }
    let parts = r
        .elements
        .iter()
        .filter(|e| matches!(e.went_to, Destination::PartOf { .. }))
        .count();
    if parts > 0 {
        out!("  ({parts} more elements read into the blocks above; --json lists them)");
    }
    if !r.merge_tags.is_empty() {
        out!("Merge tags:");
        for t in &r.merge_tags {
            match &t.converted {
                Some(c) if c.is_empty() => out!(
                    "  {} ({}, x{}): removed ({})",
                    t.original,
                    t.syntax,
                    t.count,
                    t.note.as_deref().unwrap_or("")
                ),
                Some(c) => out!("  {} ({}, x{}) -> {c}", t.original, t.syntax, t.count),
                None => out!(
                    "  {} ({}, x{}): kept as text: {}",
                    t.original,
                    t.syntax,
                    t.count,
                    t.note.as_deref().unwrap_or("")
                ),
            }
        }
    }
    let unmapped: Vec<_> = r
        .mapping
        .iter()
        .filter(|m| m.path.is_none())
        .map(|m| m.esp_name.as_str())
        .collect();
    if !unmapped.is_empty() {
        out!(
            "Unmapped ESP fields (map them with --map FILE.toml): {}",
            unmapped.join(", ")
        );
    }
    for m in r.removed.iter() {
        out!("Removed (unsafe): line {}: {}", m.line, m.what);
    }
    for w in &r.warnings {
        out!("Warning: line {}: {}", w.line, w.message);
    }
    if !imported.visual.is_empty() {
        out!("Visual difference, original vs import (drawn by Chromium; share of pixels that differ):");
        for v in &imported.visual {
            out!(
                "  {:>4} px wide: {:.4} ({:.1} %)",
                v.width,
                v.difference,
                v.difference * 100.0
            );
        }
    }
    Ok(())
}

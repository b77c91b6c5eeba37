//! `tessera assets`: the workspace's image and font assets (`assets/`): list, check, prune, add.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use tessera_workspace::assets::{AssetInfo, AssetLevel};
use tessera_workspace::Workspace;

/// The subcommands of `tessera assets`.
#[derive(Debug, clap::Subcommand)]
pub enum AssetsCommand {
    /// List the assets: name, format, size, weight and the emails using each.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check every asset (type by content, content hash, weight, dimensions) and every asset
    /// path the emails and [brand] use; exits 1 on an error (unused or heavy assets are warnings).
    Check {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove the assets no email and no [brand] setting uses.
    Prune {
        /// List what would be removed and remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Add image or font files: checked by content, copied in under content-hashed names; prints
    /// the asset path to put in a field.
    Add {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Scale PNG and JPEG images wider than twice this display width (pixels) down to it.
        #[arg(long, value_name = "PX")]
        width: Option<u32>,
    },
}

/// Runs `tessera assets`.
///
/// # Errors
/// The workspace cannot be opened, a file cannot be read or written, a file is refused.
pub fn run(workspace: Option<&Path>, cwd: &Path, command: &AssetsCommand) -> anyhow::Result<ExitCode> {
    let ws = Workspace::discover(workspace, cwd)?;
    match command {
        AssetsCommand::List { json } => {
            let assets = ws.assets()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&assets)?);
            } else if assets.is_empty() {
                println!("no assets in {}/assets", ws.describe());
            } else {
                for asset in &assets {
                    println!("{}", describe(asset));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AssetsCommand::Check { json } => {
            let problems = ws.check_assets()?;
            let errors = problems.iter().filter(|p| p.level == AssetLevel::Error).count();
            if *json {
                println!("{}", serde_json::to_string_pretty(&problems)?);
            } else {
                for p in &problems {
                    let level = match p.level {
                        AssetLevel::Error => "error",
                        AssetLevel::Warning => "warning",
                    };
                    println!("{level}: {}: {}", p.file, p.message);
                }
                println!(
                    "{} asset(s), {errors} error(s), {} warning(s)",
                    ws.assets()?.len(),
                    problems.len() - errors
                );
            }
            Ok(if errors == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AssetsCommand::Prune { dry_run } => {
            let removed = ws.prune_assets(*dry_run)?;
            let verb = if *dry_run { "would remove" } else { "removed" };
            for name in &removed {
                println!("{verb} assets/{name}");
            }
            if removed.is_empty() {
                println!("every asset is in use");
            }
            Ok(ExitCode::SUCCESS)
        }
        AssetsCommand::Add { files, width } => {
            for file in files {
                let bytes = std::fs::read(file).with_context(|| format!("{}: cannot be read", file.display()))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let added = ws.add_asset(&name, &bytes, *width)?;
                let note = match (added.existed, added.scaled_from) {
                    (true, _) => " (already in the library)".to_owned(),
                    (false, Some(from)) => format!(" (scaled from {from} px wide)"),
                    (false, None) => String::new(),
                };
                println!("{} -> {}{note}", file.display(), added.asset.path);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn describe(asset: &AssetInfo) -> String {
    let size = match (asset.width, asset.height) {
        (Some(w), Some(h)) => format!("{w}×{h} px"),
        _ => "font".to_owned(),
    };
    let used = if asset.used_by.is_empty() {
        "unused".to_owned()
    } else {
        format!("used by {}", asset.used_by.join(", "))
    };
    format!(
        "{}  {}  {size}  {:.1} KB  {used}",
        asset.path,
        asset.format.extension(),
        asset.bytes as f64 / 1024.0
    )
}

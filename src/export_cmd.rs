//! `tessera export`: an email in an ESP's template language, written to `exports/<email>/<target>/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tessera_workspace::export::{accepts_amp, Target};
use tessera_workspace::{read_data, Workspace};

/// Arguments of `tessera export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// An email name (e.g. welcome) or a path to a .email.json file.
    #[arg(required_unless_present = "changed_by", conflicts_with = "changed_by")]
    email: Option<String>,
    /// The target: liquid, braze, sendgrid, mailchimp, ampscript, velocity, klaviyo, hubl,
    /// iterable, customerio, html or amp. `amp` also writes the exports of the ESPs that accept an
    /// AMP part (sendgrid, braze), each with its AMP template (template.amp.html).
    #[arg(
        long,
        value_name = "TARGET",
        required_unless_present_any = ["all_targets", "changed_by"],
        conflicts_with = "all_targets"
    )]
    target: Option<String>,
    /// Re-export every email using this block type, each to the targets it was exported to
    /// before (or to --target / --all-targets when given).
    #[arg(long, value_name = "TYPE")]
    changed_by: Option<String>,
    /// Export to every target; those the email cannot be expressed in are reported (exit code 1)
    /// and the others are still written.
    #[arg(long)]
    all_targets: bool,
    /// Folder to write <email>/<target>/ into (default: exports/ in the workspace, or here for the demo).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Recipient data the static html target renders for (default: none, every fallback shows).
    #[arg(long, value_name = "FILE.json")]
    data: Option<PathBuf>,
    /// Also write FILE.csv: every stored profile's email address and the signed feed URL of each
    /// live block (`tessera_live.<block>`), the values the ESPs' AMP templates read.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "changed_by")]
    live_urls: Option<PathBuf>,
}

/// Runs `tessera export`: exit 0 when every requested target was written, 1 when any could not be.
///
/// # Errors
/// The workspace, the email or the data cannot be read, a single target fails, or a file cannot be
/// written.
pub fn run(workspace: Option<&Path>, cwd: &Path, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let targets: Vec<Target> = match &args.target {
        Some(name) => vec![name.parse::<Target>()?],
        None => Target::ALL.to_vec(),
    };
    let mut ws = Workspace::discover(workspace, cwd)?;
    if let Some(block_type) = &args.changed_by {
        return run_changed_by(&mut ws, cwd, args, block_type, &targets);
    }
    let entry = ws.email(args.email.as_deref().unwrap_or_default())?;
    let data = args.data.as_deref().map(read_data).transpose()?;
    let out = args.out.clone().unwrap_or_else(|| ws.exports_dir(cwd));
    // `--target amp`: the AMP part, and the AMP template of each ESP that accepts one.
    let amp_esps: Vec<Target> = if targets == [Target::Amp] {
        Target::ALL.into_iter().filter(|t| accepts_amp(*t)).collect()
    } else {
        Vec::new()
    };
    // The feed URLs are signed before anything is written: a refusal leaves no export behind.
    let live_urls = match &args.live_urls {
        Some(file) => Some((file, ws.live_urls_csv(&entry, time::OffsetDateTime::now_utc(), file)?)),
        None => None,
    };
    let mut failed = 0;
    let requested = targets.len();
    let all: Vec<Target> = targets.iter().copied().chain(amp_esps).collect();
    for (i, (target, written)) in ws.export_to(&entry, &all, data.as_ref(), &out).into_iter().enumerate() {
        match written {
            Ok(dir) => {
                println!("{target}: {}", dir.display());
                report_amp(&dir, target);
            }
            Err(e) if args.all_targets || i >= requested => {
                failed += 1;
                eprintln!("error: {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some((file, (bytes, count))) = live_urls {
        tessera_workspace::write_atomic(file, &bytes)?;
        println!("live URLs: {} ({count} profiles)", file.display());
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Says on stderr why an ESP's AMP template was not written, when the manifest says so.
fn report_amp(dir: &Path, target: Target) {
    if !accepts_amp(target) {
        return;
    }
    let manifest = std::fs::read(dir.join(tessera_workspace::export::MANIFEST_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    if let Some(reason) = manifest
        .as_ref()
        .and_then(|m| m.get("amp_refused"))
        .and_then(serde_json::Value::as_str)
    {
        eprintln!("warning: {target}: no AMP template written: {reason}");
    }
}

/// `tessera export --changed-by TYPE`: every email of the working copy using the block type.
fn run_changed_by(
    ws: &mut Workspace,
    cwd: &Path,
    args: &ExportArgs,
    block_type: &str,
    targets: &[Target],
) -> anyhow::Result<ExitCode> {
    let usage = ws.block_usage(block_type)?;
    let data = args.data.as_deref().map(read_data).transpose()?;
    let out = args.out.clone().unwrap_or_else(|| ws.exports_dir(cwd));
    let explicit = args.target.is_some() || args.all_targets;
    let mut failed = 0;
    if usage.working.is_empty() {
        println!("No email uses {block_type}.");
    }
    for used in &usage.working {
        let entry = ws.email(&used.email)?;
        let chosen = if explicit {
            targets.to_vec()
        } else {
            ws.exported_targets(&used.email)
        };
        if chosen.is_empty() {
            println!(
                "{}: never exported; give --target or --all-targets to export it",
                used.email
            );
            continue;
        }
        for (target, written) in ws.export_to(&entry, &chosen, data.as_ref(), &out) {
            match written {
                Ok(dir) => println!("{} {target}: {}", used.email, dir.display()),
                Err(e) => {
                    failed += 1;
                    eprintln!("error: {e}");
                }
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

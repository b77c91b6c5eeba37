//! `tessera export`: an email in an ESP's template language, written to `exports/<email>/<target>/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tessera_workspace::export::Target;
use tessera_workspace::{read_data, Workspace};

/// Arguments of `tessera export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// An email name (e.g. welcome) or a path to a .email.json file.
    #[arg(required_unless_present = "changed_by", conflicts_with = "changed_by")]
    email: Option<String>,
    /// The target: liquid, braze, sendgrid, mailchimp, ampscript, velocity, klaviyo, hubl,
    /// iterable, customerio or html.
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
    let mut failed = 0;
    for (target, written) in ws.export_to(&entry, &targets, data.as_ref(), &out) {
        match written {
            Ok(dir) => println!("{target}: {}", dir.display()),
            Err(e) if args.all_targets => {
                failed += 1;
                eprintln!("error: {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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

//! `tessera`: render, check and manage personalized modular emails from the command line.

use std::io::{BufReader, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use serde_json::Value;
use tessera_workspace::{batch, clock, import, profiles, read_data, Workspace, WorkspaceError};

mod assets_cmd;
mod export_cmd;
mod hints;
mod import_email_cmd;
mod live_cmd;
mod qa_cmd;
mod segments_cmd;
mod send_cmd;
mod versions_cmd;

/// mimalloc: imports hand rows from a reading thread to a writing one, and glibc's allocator
/// serializes such cross-thread frees on a lock (a tenth of a large import's time, measured).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Design, personalize and check modular marketing emails.
///
/// The workspace is found as git finds a repository: --workspace DIR, else the nearest folder
/// upward holding tessera.toml, else the demo workspace built into tessera.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// The workspace folder (default: the nearest folder upward with tessera.toml, else the demo).
    #[arg(long, global = true, value_name = "DIR")]
    workspace: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render an email as a recipient: HTML, plain text and a report of every fallback taken.
    Render(RenderArgs),
    /// Create a new workspace with the demo content (emails, dictionary, sample data), as a git
    /// repository with a first version.
    ///
    /// In a folder that already holds a workspace but no git repository, makes it a repository
    /// (with a .gitignore for .tessera/) and commits nothing.
    Init {
        /// The folder to create (default: the current folder).
        dir: Option<PathBuf>,
        /// Author of the first version (default: git's user.name and user.email; with neither, no
        /// version is saved).
        #[arg(long, value_name = "NAME <EMAIL>")]
        author: Option<String>,
    },
    /// List block types and their fields; `blocks usage TYPE` lists the emails and versions using one.
    #[command(args_conflicts_with_subcommands = true)]
    Blocks {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: Option<BlocksCommand>,
    },
    /// Save the workspace as a new version (a git commit): emails, blocks, segments, data, assets,
    /// tessera.toml and the exports of the changed emails, regenerated first.
    Save(versions_cmd::SaveArgs),
    /// List the versions: id, time, author, message and the emails each changed.
    History(versions_cmd::HistoryArgs),
    /// Compare an email between two versions block by block (default: the last version against the
    /// working copy); --target T adds a unified diff of that ESP's exported template.
    Diff(versions_cmd::DiffArgs),
    /// Bring an email back as it was in a version, as a new change to the working copy (the
    /// history is never rewritten; `tessera save` records it).
    Restore(versions_cmd::RestoreArgs),
    /// Import profiles, events or products (CSV, JSON array or JSONL) into the workspace's store.
    ///
    /// Rows are validated, normalized and de-duplicated; a bad row is reported with its line,
    /// field and reason and the rest go in. The import commits whole or not at all.
    Import(ImportArgs),
    /// Import an existing HTML or MJML email as editable blocks: emails/<name>.email.json.
    ///
    /// Sections, columns, images, buttons, text, dividers, spacers, social links and heroes become
    /// their blocks; the rest HTML blocks (sanitized, CSS inlined). ESP merge syntax (*|FNAME|*,
    /// Liquid, AMPscript, ${x}, Handlebars) becomes placeholders through --map and the data
    /// dictionary; the rest stays literal text. Prints where every element went.
    ImportEmail(import_email_cmd::ImportEmailArgs),
    /// Browse the profiles in the workspace's store.
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Send test messages: the email rendered as profiles, to seed addresses, over SMTP or into the
    /// outbox.
    ///
    /// One message per (profile, address): text and HTML, local images inline, the [send] sender
    /// and a [TEST] subject prefix. With no SMTP profile configured, messages go to the workspace's
    /// outbox (.tessera/outbox). Every message is recorded in the store's send log.
    Send(send_cmd::SendArgs),
    /// The local outbox of test sends: list, show or open messages.
    #[command(subcommand)]
    Outbox(send_cmd::OutboxCommand),
    /// SMTP profiles: list them, store a password in the OS keyring.
    #[command(subcommand)]
    Smtp(send_cmd::SmtpCommand),
    /// Export an email to an ESP's template language: exports/<email>/<target>/ with the HTML and
    /// plain-text templates and manifest.json (the fields the ESP must provide).
    Export(export_cmd::ExportArgs),
    /// Run the live collector: a Segment-compatible HTTP API that writes events and profile
    /// changes into the store and keeps segment membership current.
    Serve(live_cmd::ServeArgs),
    /// Write and read keys of the live collector: create, list, revoke.
    #[command(subcommand)]
    Keys(live_cmd::KeysCommand),
    /// Behavioural segments (segments/<name>.json): list, show, count, members, refresh.
    #[command(subcommand)]
    Segments(segments_cmd::SegmentsCommand),
    /// Render an email for a representative profile of every segment it refers to and for edge
    /// cases; report what each case sees and write an HTML page comparing them side by side.
    PreviewMatrix(segments_cmd::PreviewMatrixArgs),
    /// Pre-send QA of an email: which email clients support what it uses (caniemail data),
    /// accessibility, links, content and size, offline. Prints a summary per client family and the
    /// findings by block; exits 1 when a finding fails under the workspace's [qa] settings (by
    /// default anything unsupported in a checked client, every accessibility or link error).
    Qa(qa_cmd::QaArgs),
    /// Image and font assets of the workspace (assets/): list, check, prune, add.
    #[command(subcommand)]
    Assets(assets_cmd::AssetsCommand),
    /// Validate an email: block types, fields, placeholders, rules, and the pre-send QA (as
    /// `tessera qa` as the first sample recipient) with the workspace's [qa] settings.
    ///
    /// Exits 1 when it finds any problem, warnings included (such as a placeholder whose field is
    /// not in the data dictionary: almost always a typo), or a QA finding that fails under [qa],
    /// so scripts can gate on it.
    Check {
        /// An email name (e.g. welcome) or a path to a .email.json file.
        email: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum BlocksCommand {
    /// Every email of the working copy and of every version that uses a block type.
    Usage(versions_cmd::UsageArgs),
}

#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// The file: .csv, .json (an array of objects) or .jsonl (one object per line).
    file: PathBuf,
    /// What the file holds.
    #[arg(long, value_parser = ["profiles", "events", "products"])]
    kind: String,
    /// A TOML file mapping column names to fields: [columns] "Mailadresse" = "email".
    #[arg(long, value_name = "FILE.toml")]
    mapping: Option<PathBuf>,
    /// Time zone of timestamps written without an offset, e.g. +01:00 (default UTC).
    #[arg(long, value_name = "TZ", default_value = "UTC")]
    timezone: String,
    /// Produce the report and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the full report (JSON) here.
    #[arg(long, value_name = "FILE.json")]
    report: Option<PathBuf>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum ProfilesCommand {
    /// List profiles, by email.
    List {
        /// Only profiles whose email or name contains this text.
        #[arg(long)]
        search: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one profile: attributes, recent events and the age of each field.
    Show {
        /// Email, CRM id, shop id or store id.
        profile: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
#[allow(clippy::struct_excessive_bools)]
struct RenderArgs {
    /// An email name (e.g. welcome) or a path to a .email.json file.
    #[arg(required_unless_present = "all")]
    email: Option<String>,
    /// Recipient data: {"profile": {...}, "cart": {...}, "recommendations": [...], "segments": [...]}.
    #[arg(long, value_name = "FILE.json", conflicts_with = "batch")]
    data: Option<PathBuf>,
    /// Render as a profile of the workspace's store (email, CRM id or store id).
    #[arg(long, value_name = "EMAIL|ID", conflicts_with_all = ["batch", "data"])]
    profile: Option<String>,
    /// Write the HTML here (default: standard output).
    #[arg(long, value_name = "FILE.html")]
    out: Option<PathBuf>,
    /// Write the plain-text part here.
    #[arg(long, value_name = "FILE.txt")]
    text: Option<PathBuf>,
    /// Write the AMP for Email part here (live blocks as amp-list over signed feed URLs when
    /// rendering a stored --profile and [live] base_url is set).
    #[arg(long, value_name = "FILE.html")]
    amp: Option<PathBuf>,
    /// Write the render report (JSON) here.
    #[arg(long, value_name = "FILE.json")]
    report: Option<PathBuf>,
    /// Render one recipient per line of a JSONL file into --out-dir.
    #[arg(long, value_name = "FILE.jsonl", requires = "out_dir")]
    batch: Option<PathBuf>,
    /// Output folder for --batch and --all.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Render every email of the workspace for every sample recipient in data/ into --out-dir.
    #[arg(long, requires = "out_dir", conflicts_with_all = ["email", "batch", "data"])]
    all: bool,
    /// Worker threads for --batch (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// Prints a line to standard output; a closed pipe (`tessera blocks | head`) is not an error.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        emit(&format!($($arg)*))?
    };
}

pub(crate) fn emit(line: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{line}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let workspace_error = e.downcast_ref::<WorkspaceError>();
            let input_error = workspace_error.is_none_or(|w| w.kind().is_input());
            if let Some(w) = workspace_error {
                // Library errors carry their whole message (file, line, reason); their source
                // chain would repeat it. What to type next is the command line's to say.
                eprintln!("error: {e}");
                if let Some(hint) = hints::hint(w) {
                    eprintln!("hint: {hint}");
                }
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(if input_error { 1 } else { 2 })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    match cli.command {
        Command::Init { dir, author } => {
            let dir = dir.unwrap_or_else(|| cwd.clone());
            let done = tessera_workspace::history::init_versioned(&dir, author.as_deref())?;
            if done.files.is_empty() {
                out!(
                    "Made {} a git repository (with a .gitignore for .tessera/). Nothing is committed: save a first version with `tessera save -m MESSAGE`.",
                    dir.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            out!(
                "Created a Tessera workspace in {} ({} files).",
                dir.display(),
                done.files.len()
            );
            match &done.first_version {
                Some(v) => out!("Saved the first version {}.", v.short_id),
                None => out!(
                    "It is a git repository with nothing committed yet: no author is configured. Save the first version with `tessera save -m MESSAGE --author \"NAME <EMAIL>\"`."
                ),
            }
            out!(
                "Try: tessera --workspace {} render welcome --data {}",
                dir.display(),
                dir.join("data/ada.json").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Blocks {
            command: Some(BlocksCommand::Usage(args)),
            ..
        } => versions_cmd::run_usage(cli.workspace.as_deref(), &cwd, &args),
        Command::Save(args) => versions_cmd::run_save(cli.workspace.as_deref(), &cwd, &args),
        Command::History(args) => versions_cmd::run_history(cli.workspace.as_deref(), &cwd, &args),
        Command::Diff(args) => versions_cmd::run_diff(cli.workspace.as_deref(), &cwd, &args),
        Command::Restore(args) => versions_cmd::run_restore(cli.workspace.as_deref(), &cwd, &args),
        Command::Blocks { json, command: None } => {
            let ws = Workspace::discover(cli.workspace.as_deref(), &cwd)?;
            print_blocks(&ws, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { email, json } => {
            let mut ws = Workspace::discover(cli.workspace.as_deref(), &cwd)?;
            let entry = ws.email(&email)?;
            let mut problems = ws.check(&entry);
            // The pre-send QA, with the workspace's [qa] settings, once the email renders.
            if !problems.iter().any(|p| p.severity == tessera_core::Severity::Error) {
                problems.extend(ws.qa_problems(&entry, clock::now_ms())?);
            }
            if json {
                out!("{}", serde_json::to_string_pretty(&problems)?);
            } else if problems.is_empty() {
                out!("{}: no problems found.", entry.path.display());
            } else {
                for p in &problems {
                    let level = if p.severity == tessera_core::Severity::Error {
                        "error"
                    } else {
                        "warning"
                    };
                    out!("{}: {level}: {p}", entry.path.display());
                }
            }
            Ok(if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Qa(args) => qa_cmd::run(cli.workspace.as_deref(), &cwd, &args),
        Command::Import(args) => run_import(&cli.workspace, &cwd, &args),
        Command::ImportEmail(args) => import_email_cmd::run(cli.workspace.as_deref(), &cwd, &args),
        Command::Send(args) => send_cmd::run_send(cli.workspace.as_deref(), &cwd, &args),
        Command::Outbox(command) => send_cmd::run_outbox(cli.workspace.as_deref(), &cwd, &command),
        Command::Smtp(command) => send_cmd::run_smtp(cli.workspace.as_deref(), &cwd, &command),
        Command::Export(args) => export_cmd::run(cli.workspace.as_deref(), &cwd, &args),
        Command::Assets(command) => assets_cmd::run(cli.workspace.as_deref(), &cwd, &command),
        Command::Serve(args) => live_cmd::run_serve(cli.workspace.as_deref(), &cwd, &args),
        Command::Keys(command) => live_cmd::run_keys(cli.workspace.as_deref(), &cwd, &command),
        Command::Segments(command) => segments_cmd::run_segments(cli.workspace.as_deref(), &cwd, command),
        Command::PreviewMatrix(args) => segments_cmd::run_preview_matrix(cli.workspace.as_deref(), &cwd, &args),
        Command::Profiles(command) => {
            let ws = Workspace::discover(cli.workspace.as_deref(), &cwd)?;
            // Listing needs a store; the demo built into tessera has none, and says so.
            ws.store_path()?;
            match command {
                ProfilesCommand::List { search, limit, json } => {
                    let list = profiles::browse(&ws, search.as_deref().unwrap_or(""), limit)?;
                    if json {
                        out!("{}", serde_json::to_string_pretty(&list)?);
                    } else if list.is_empty() {
                        out!(
                            "No profiles{}.",
                            search.map_or(String::new(), |s| format!(" match \"{s}\""))
                        );
                    } else {
                        for p in &list {
                            let name = format!(
                                "{} {}",
                                p.first_name.as_deref().unwrap_or(""),
                                p.last_name.as_deref().unwrap_or("")
                            );
                            out!(
                                "{:>7}  {:<40} {:<30} {}",
                                p.id,
                                p.email,
                                name.trim(),
                                p.country.as_deref().unwrap_or("")
                            );
                        }
                    }
                }
                ProfilesCommand::Show { profile, json } => {
                    let detail = profiles::detail(&ws, &profile, 20)?;
                    if json {
                        out!("{}", serde_json::to_string_pretty(&detail)?);
                    } else {
                        out!("Profile {}", detail.id);
                        for (k, v) in &detail.profile {
                            let age = detail
                                .data_ages
                                .get(k)
                                .and_then(|a| a.get("at"))
                                .and_then(Value::as_str)
                                .unwrap_or("");
                            out!(
                                "  {:<16} {:<40} {}",
                                k,
                                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                                age
                            );
                        }
                        out!("Recent events ({}):", detail.recent_events.len());
                        for e in &detail.recent_events {
                            out!(
                                "  {}  {:<13} {} {}",
                                e.occurred_at,
                                e.kind,
                                e.sku.as_deref().unwrap_or(""),
                                e.value.map_or(String::new(), |v| format!(
                                    "{v} {}",
                                    e.currency.as_deref().unwrap_or("")
                                ))
                            );
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Render(args) => {
            let mut ws = Workspace::discover(cli.workspace.as_deref(), &cwd)?;
            if args.all {
                render_all(&mut ws, args.out_dir.as_deref().unwrap_or(Path::new("out")))
            } else if let Some(batch) = &args.batch {
                render_batch(&mut ws, &args, batch)
            } else {
                render_one(&mut ws, &args)
            }
        }
    }
}

fn run_import(workspace: &Option<PathBuf>, cwd: &Path, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let ws = Workspace::discover(workspace.as_deref(), cwd)?;
    let request = import::ImportRequest {
        mapping: args.mapping.clone(),
        timezone: args.timezone.clone(),
        dry_run: args.dry_run,
        ..import::ImportRequest::new(&args.file, args.kind.parse().map_err(WorkspaceError::from)?)
    };
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let report = import::import_file(&ws, &request, &|read| {
        if let Some(bar) = &bar {
            bar.set_position(read);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(path) = &args.report {
        write_file(path, serde_json::to_string_pretty(&report)?.as_bytes())?;
    }
    if args.json {
        out!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if report.dry_run { "Dry run of" } else { "Imported" };
    out!(
        "{verb} {} ({}, {}) in {} ms:",
        args.file.display(),
        report.kind,
        report.encoding,
        report.duration_ms
    );
    out!(
        "  {} rows read: {} inserted, {} updated, {} merged, {} unchanged, {} rejected",
        report.rows_read,
        report.inserted,
        report.updated,
        report.merged,
        report.unchanged,
        report.rejected
    );
    for (segment, delta) in &report.segments {
        out!("  segment {segment}: {} entered, {} left", delta.entered, delta.left);
    }
    for w in &report.warnings {
        out!("  note: {w}");
    }
    for r in report.rejections.iter().take(20) {
        let field = r.field.as_deref().map_or(String::new(), |f| format!(" {f}:"));
        out!("  {}:{}:{} {}", args.file.display(), r.line, field, r.reason);
    }
    let shown = report.rejections.len().min(20) as u64;
    if report.rejected > shown {
        out!(
            "  ... {} more rejected rows (see --report FILE)",
            report.rejected - shown
        );
    }
    if !report.fuzzy_matches.is_empty() {
        out!(
            "  {} possible duplicate(s) to review (not merged):",
            report.fuzzy_matches.len()
        );
        for m in report.fuzzy_matches.iter().take(20) {
            out!(
                "    line {}: {} looks like {} ({:.2}: {})",
                m.line,
                m.email,
                m.candidate,
                m.score,
                m.evidence
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn render_one(ws: &mut Workspace, args: &RenderArgs) -> anyhow::Result<ExitCode> {
    let entry = ws.email(args.email.as_deref().unwrap_or_default())?;
    let (rendered, amp) = match (&args.data, &args.profile) {
        (Some(path), _) => {
            let data = read_data(path)?;
            let amp = amp_part(ws, &entry, args, &data, None)?;
            (ws.render(&entry, &data)?, amp)
        }
        (None, Some(profile)) => {
            let recipient = ws.stored_recipient(profile, clock::now_ms())?;
            let amp = amp_part(ws, &entry, args, &recipient.data, Some(recipient.id))?;
            (recipient.render(ws, &entry)?, amp)
        }
        (None, None) => {
            let data = Value::Object(serde_json::Map::new());
            let amp = amp_part(ws, &entry, args, &data, None)?;
            (ws.render(&entry, &data)?, amp)
        }
    };
    if let (Some(path), Some(amp)) = (&args.amp, &amp) {
        write_file(path, amp.html.as_bytes())?;
        let r = &amp.report;
        eprintln!(
            "{}: AMP part {} KB (style {} bytes); live blocks: {}",
            entry.name,
            r.bytes.div_ceil(1024),
            r.style_bytes,
            if r.live_blocks.is_empty() {
                "none".to_owned()
            } else {
                r.live_blocks.join(", ")
            }
        );
        for (block, why) in &r.static_blocks {
            eprintln!("note: live block {block} is static in the AMP part: {why}");
        }
        if r.over_size_budget {
            eprintln!(
                "warning: the AMP part is {} KB, over the {} KB clients show; they will show the HTML part",
                r.bytes.div_ceil(1024),
                tessera_core::amp::SIZE_BUDGET / 1024
            );
        }
    }
    match &args.out {
        Some(path) => write_file(path, rendered.html.as_bytes())?,
        None => match std::io::stdout().lock().write_all(rendered.html.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.context("writing to standard output")?,
        },
    }
    if let Some(path) = &args.text {
        write_file(path, rendered.text.as_bytes())?;
    }
    if let Some(path) = &args.report {
        write_file(path, serde_json::to_string_pretty(&rendered.report)?.as_bytes())?;
    }
    let r = &rendered.report;
    for stale in &rendered.report.stale_fields {
        eprintln!(
            "note: {} is stale: last updated {}, and {} data counts as fresh for {}",
            stale.field, stale.last_updated, stale.source, stale.threshold
        );
    }
    eprintln!(
        "{}: subject \"{}\"; {} KB HTML; {} fallback(s), {} hidden block(s), {} warning(s)",
        entry.name,
        rendered.subject,
        r.html_bytes.div_ceil(1024),
        r.fallbacks.len(),
        r.hidden_blocks.len(),
        r.warnings.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The AMP part when `--amp` is given: feed URLs signed with the workspace's signing keys for a
/// stored recipient.
fn amp_part(
    ws: &mut Workspace,
    entry: &tessera_workspace::EmailEntry,
    args: &RenderArgs,
    data: &Value,
    profile_id: Option<i64>,
) -> anyhow::Result<Option<tessera_core::amp::AmpRendered>> {
    if args.amp.is_none() {
        return Ok(None);
    }
    let recipient = tessera_workspace::amp::AmpRecipient {
        profile_id,
        now: time::OffsetDateTime::now_utc(),
    };
    Ok(Some(ws.render_amp(entry, data, &recipient)?))
}

fn render_batch(ws: &mut Workspace, args: &RenderArgs, batch_file: &Path) -> anyhow::Result<ExitCode> {
    let entry = ws.email(args.email.as_deref().unwrap_or_default())?;
    let compiled = ws.compile(&entry)?;
    let out_dir = args.out_dir.as_deref().unwrap_or(Path::new("out"));
    let file = std::fs::File::open(batch_file).map_err(|source| WorkspaceError::Io {
        path: batch_file.to_path_buf(),
        source,
    })?;
    let bar = std::io::stderr().is_terminal().then(|| {
        // Counting lines costs a read of the file: only worth it when someone watches the bar.
        let bar = indicatif::ProgressBar::new(count_lines(batch_file));
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} recipients ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let started = std::time::Instant::now();
    let summary = batch::render_batch(
        &compiled,
        BufReader::with_capacity(1 << 20, file),
        out_dir,
        threads,
        &|done| {
            if let Some(bar) = &bar {
                bar.set_position(done);
            }
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let elapsed = started.elapsed();
    out!(
        "Rendered {} recipient(s) of {} into {} in {:.2} s.",
        summary.rendered,
        entry.name,
        out_dir.display(),
        elapsed.as_secs_f64()
    );
    if !summary.tallies.is_empty() {
        out!("Fallbacks and hidden blocks:");
        for t in summary.tallies.iter().take(20) {
            out!("  {:>8}  {}", t.count, t.what);
        }
        if summary.tallies.len() > 20 {
            out!(
                "  ... and {} more (see {})",
                summary.tallies.len() - 20,
                out_dir.join("summary.json").display()
            );
        }
    }
    if !summary.failures.is_empty() {
        out!("{} line(s) skipped:", summary.failures.len());
        for f in summary.failures.iter().take(20) {
            out!("  {}:{}: {}", batch_file.display(), f.line, f.reason);
        }
    }
    write_file(
        &out_dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)?.as_bytes(),
    )?;
    Ok(if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn count_lines(path: &Path) -> u64 {
    use std::io::BufRead as _;
    std::fs::File::open(path)
        .map(|f| {
            BufReader::with_capacity(1 << 20, f)
                .split(b'\n')
                .filter_map(Result::ok)
                .filter(|l| !l.trim_ascii().is_empty())
                .count() as u64
        })
        .unwrap_or(0)
}

fn render_all(ws: &mut Workspace, out_dir: &Path) -> anyhow::Result<ExitCode> {
    let samples = ws.samples()?;
    let mut index = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tessera renders</title>\n<style>body{font-family:system-ui,sans-serif;margin:2rem}td,th{padding:.3rem .8rem;text-align:left;border-bottom:1px solid #ddd}</style></head><body>\n");
    index.push_str(&format!("<h1>Renders of {}</h1>\n<table><tr><th>Email</th><th>Recipient</th><th>Subject</th><th>HTML</th><th>Text</th><th>Report</th><th>Fallbacks</th><th>Hidden</th></tr>\n", esc(&ws.describe())));
    out!("Rendering {} into {}", ws.describe(), out_dir.display());
    for name in ws.email_names() {
        let entry = ws.email(&name)?;
        for (sample, data) in &samples {
            let rendered = ws.render(&entry, data)?;
            let dir = out_dir.join(&name);
            let html = dir.join(format!("{sample}.html"));
            let text = dir.join(format!("{sample}.txt"));
            let report = dir.join(format!("{sample}.report.json"));
            write_file(&html, rendered.html.as_bytes())?;
            write_file(&text, rendered.text.as_bytes())?;
            write_file(&report, serde_json::to_string_pretty(&rendered.report)?.as_bytes())?;
            out!(
                "  {}  ({} fallbacks, {} hidden blocks)",
                html.display(),
                rendered.report.fallbacks.len(),
                rendered.report.hidden_blocks.len()
            );
            index.push_str(&format!(
                "<tr><td>{name}</td><td>{sample}</td><td>{}</td><td><a href=\"{name}/{sample}.html\">HTML</a></td><td><a href=\"{name}/{sample}.txt\">text</a></td><td><a href=\"{name}/{sample}.report.json\">report</a></td><td>{}</td><td>{}</td></tr>\n",
                esc(&rendered.subject),
                rendered.report.fallbacks.len(),
                rendered.report.hidden_blocks.len()
            ));
        }
    }
    index.push_str("</table></body></html>\n");
    let index_path = out_dir.join("index.html");
    write_file(&index_path, index.as_bytes())?;
    out!("Open {} to see them side by side.", index_path.display());
    Ok(ExitCode::SUCCESS)
}

fn esc(s: &str) -> String {
    tessera_core::render::escape::html_escape(s)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), WorkspaceError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| WorkspaceError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    tessera_workspace::write_atomic(path, bytes)
}

fn print_blocks(ws: &Workspace, json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<Value> = ws
            .library
            .iter()
            .map(|b| serde_json::json!({"type": b.id, "origin": b.origin, "schema": b.schema}))
            .collect();
        out!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for b in ws.library.iter() {
        let origin = match b.origin {
            tessera_core::model::BlockOrigin::BuiltIn => "built-in",
            tessera_core::model::BlockOrigin::Workspace => "workspace",
        };
        out!(
            "{} \"{}\" ({}, {origin}): {}",
            b.id,
            b.schema.name,
            b.schema.category,
            b.schema.description
        );
        for f in &b.schema.fields {
            let ty = serde_json::to_value(f.field_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            out!("    {:<18} {:<10} {}", f.name, ty, f.label);
        }
        if !b.schema.slots.is_empty() {
            out!("    slots: {}", b.schema.slots.join(", "));
        }
        if !b.schema.requires.is_empty() {
            out!("    requires: {}", b.schema.requires.join(", "));
        }
    }
    Ok(())
}

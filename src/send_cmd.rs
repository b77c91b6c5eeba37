//! `tessera send`, `tessera outbox` and `tessera smtp`: test sends from the command line. The work is
//! done by `tessera_workspace::send`; this file parses arguments and formats results.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use tessera_workspace::send::{outbox, setup, MessageResult, Route, SendRequest, Status};
use tessera_workspace::{Workspace, WorkspaceError};

/// `tessera send`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("route").multiple(false).args(["smtp", "smtp_url", "outbox"]))]
pub struct SendArgs {
    /// An email name (e.g. welcome) or a path to a .email.json file.
    email: String,
    /// Seed addresses, comma-separated or repeated. Every address is checked before anything is sent.
    #[arg(long, required = true, value_name = "ADDR[,ADDR...]")]
    to: Vec<String>,
    /// Render as this store profile (email or id); repeat for several. Default: the workspace's
    /// first sample recipient in data/ (alphabetically).
    #[arg(long, value_name = "EMAIL|ID")]
    profile: Vec<String>,
    /// Send through the [smtp.NAME] profile of tessera.toml.
    #[arg(long, value_name = "NAME")]
    smtp: Option<String>,
    /// Send through a one-off server: smtp://[user@]host[:port] (STARTTLS required; plain only on
    /// loopback) or smtps://host[:port]. The password comes from TESSERA_SMTP_PASSWORD.
    #[arg(long, value_name = "URL")]
    smtp_url: Option<String>,
    /// Write to the workspace's outbox (.tessera/outbox) even if SMTP profiles are configured.
    #[arg(long)]
    outbox: bool,
    /// Add the AMP for Email part (text/x-amp-html, before the HTML part); live blocks fetch
    /// signed feeds when [live] base_url is set and the message renders a stored --profile.
    #[arg(long)]
    amp: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// `tessera outbox`.
#[derive(Debug, clap::Subcommand)]
pub enum OutboxCommand {
    /// List the messages in the outbox, newest first.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a message as it would be sent (the .eml file).
    Show {
        /// A message id (or its start), or `latest`.
        #[arg(default_value = "latest")]
        id: String,
    },
    /// Open a message in the system's mail viewer (TESSERA_OPEN, else xdg-open / open / start).
    Open {
        /// A message id (or its start), or `latest`.
        #[arg(default_value = "latest")]
        id: String,
    },
}

/// `tessera smtp`.
#[derive(Debug, clap::Subcommand)]
pub enum SmtpCommand {
    /// List the SMTP profiles of tessera.toml.
    List,
    /// Store the password of an SMTP profile in the OS keyring (read from the terminal without
    /// echo, or from one line of standard input).
    SetPassword {
        /// The profile name ([smtp.NAME]).
        name: String,
    },
}

fn say(line: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{line}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn kb(bytes: usize) -> String {
    // Display only: precision loss above 2^52 bytes does not matter.
    #[allow(clippy::cast_precision_loss)]
    let value = bytes as f64 / 1024.0;
    format!("{value:.1} KB")
}

/// Runs `tessera send`.
///
/// # Errors
/// Anything found before the first message leaves; delivery failures give exit code 1 instead.
pub fn run_send(workspace: Option<&Path>, cwd: &Path, args: &SendArgs) -> anyhow::Result<ExitCode> {
    let mut ws = Workspace::discover(workspace, cwd)?;
    let route = match (&args.smtp, &args.smtp_url, args.outbox) {
        (Some(name), _, _) => Route::Profile(name.clone()),
        (_, Some(url), _) => Route::Url(url.clone()),
        (_, _, true) => Route::Outbox,
        _ => Route::Default,
    };
    let request = SendRequest {
        email: args.email.clone(),
        to: args.to.clone(),
        profiles: args.profile.clone(),
        route,
        amp: args.amp,
        cancel: tessera_workspace::Cancel::new(),
        tracking: tessera_live::tracking::for_workspace(&ws)?,
    };
    let json = args.json;
    let mut print_error = None;
    let report = ws.send_test(
        &request,
        &mut |m: &MessageResult| {
            if !json && print_error.is_none() {
                if let Err(e) = say(&describe(m)) {
                    print_error = Some(e);
                }
            }
        },
        &|_, _| {},
    )?;
    if let Some(e) = print_error {
        return Err(e.into());
    }
    let failed = report.failures().count();
    if json {
        say(&serde_json::to_string_pretty(&report)?)?;
    } else {
        say(&format!(
            "{} message(s) of {} to {}: {} sent, {} not delivered.",
            report.messages.len(),
            report.email,
            report.transport,
            report.messages.len() - failed,
            failed
        ))?;
        if failed > 0 {
            say("Not delivered:")?;
            for m in report.failures() {
                say(&format!(
                    "  {} (as {}): {}",
                    m.recipient,
                    m.profile,
                    m.error.as_deref().unwrap_or_default()
                ))?;
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn describe(m: &MessageResult) -> String {
    let size = format!(
        "{} message, HTML {} of Gmail's {} budget{}{}",
        kb(m.size_bytes),
        kb(m.html_bytes),
        kb(m.gmail_budget_bytes),
        if m.clipped_by_gmail {
            " (Gmail will clip it)"
        } else {
            ""
        },
        match (m.inline_images, m.remote_images) {
            (0, 0) => String::new(),
            (i, r) => format!(", {i} inline and {r} remote image(s)"),
        }
    );
    match m.status {
        Status::Sent => format!(
            "sent    {} as {}: \"{}\"; {size}; {}",
            m.recipient,
            m.profile,
            m.subject,
            m.response.as_deref().unwrap_or_default()
        ),
        Status::Failed => format!(
            "FAILED  {} as {}: {}",
            m.recipient,
            m.profile,
            m.error.as_deref().unwrap_or_default()
        ),
        Status::NotAttempted => format!(
            "skipped {} as {}: {}",
            m.recipient,
            m.profile,
            m.error.as_deref().unwrap_or_default()
        ),
    }
}

/// Runs `tessera outbox ...`.
///
/// # Errors
/// No workspace folder, an unreadable outbox, no such message, no viewer.
pub fn run_outbox(workspace: Option<&Path>, cwd: &Path, command: &OutboxCommand) -> anyhow::Result<ExitCode> {
    let ws = Workspace::discover(workspace, cwd)?;
    match command {
        OutboxCommand::List { json } => {
            let entries = outbox::list(&ws)?;
            if *json {
                say(&serde_json::to_string_pretty(&entries)?)?;
            } else if entries.is_empty() {
                say(&format!("The outbox ({}) is empty.", ws.outbox_dir()?.display()))?;
            } else {
                for e in &entries {
                    say(&format!(
                        "{}  {:<31}  {:<30}  {:>9}  {}",
                        e.id,
                        e.date,
                        e.to,
                        kb(usize::try_from(e.size_bytes).unwrap_or(usize::MAX)),
                        e.subject
                    ))?;
                }
            }
        }
        OutboxCommand::Show { id } => {
            let path = outbox::path(&ws, id)?;
            let bytes = std::fs::read(&path).map_err(|source| WorkspaceError::Io { path, source })?;
            match std::io::stdout().lock().write_all(&bytes) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
        OutboxCommand::Open { id } => {
            let path = outbox::path(&ws, id)?;
            open_file(&path)?;
            say(&format!("Opened {}", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn open_file(path: &Path) -> anyhow::Result<()> {
    let mut command = if let Some(opener) = std::env::var_os("TESSERA_OPEN").filter(|v| !v.is_empty()) {
        std::process::Command::new(opener)
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let status = command.arg(path).status().map_err(|e| {
        anyhow::anyhow!(
            "cannot start a viewer for {} ({e}); set TESSERA_OPEN to a program that opens .eml files",
            path.display()
        )
    })?;
    if !status.success() {
        anyhow::bail!("the viewer for {} exited with {status}", path.display());
    }
    Ok(())
}

/// Runs `tessera smtp ...`.
///
/// # Errors
/// Unknown profile, no keyring, unreadable input.
pub fn run_smtp(workspace: Option<&Path>, cwd: &Path, command: &SmtpCommand) -> anyhow::Result<ExitCode> {
    let ws = Workspace::discover(workspace, cwd)?;
    match command {
        SmtpCommand::List => {
            if ws.config.smtp.is_empty() {
                say("No SMTP profiles: test sends go to the outbox (.tessera/outbox). Add [smtp.NAME] to tessera.toml to send over SMTP.")?;
            }
            for name in ws.config.smtp.keys() {
                let line = match ws.smtp_target(name) {
                    Ok(t) => format!(
                        "{name}  {}  security {}  {}  timeout {} s",
                        t.server(),
                        t.security.name(),
                        t.user.as_ref().map_or_else(
                            || "no login".to_owned(),
                            |u| format!("user {u} (password: keyring or {})", t.password_env)
                        ),
                        t.timeout.as_secs()
                    ),
                    Err(e) => format!("{name}  invalid: {e}"),
                };
                say(&line)?;
            }
        }
        SmtpCommand::SetPassword { name } => {
            let target = ws.smtp_target(name)?;
            let secret = if std::io::stdin().is_terminal() {
                rpassword::prompt_password(format!("Password for {}: ", target.account()))?
            } else {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            };
            setup::store_password(&ws, name, secret)?;
            say(&format!(
                "Stored the password for {} in the OS keyring.",
                target.account()
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

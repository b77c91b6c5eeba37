//! `tessera qa`: the pre-send QA of an email (client support, accessibility, links, content), a
//! summary per client family and the findings by block; exit 1 when a finding fails under the
//! workspace's `[qa]` settings. The work is in `tessera-workspace` (`qa.rs`), which the desktop app
//! calls too.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tessera_workspace::qa::{Finding, Level, QaAs, QaResult};
use tessera_workspace::{clock, Workspace};

use crate::{emit, out};

#[derive(Debug, clap::Args)]
pub(crate) struct QaArgs {
    /// An email name (e.g. welcome) or a path to a .email.json file.
    email: String,
    /// Check it as a profile of the workspace's store (email, CRM id or store id).
    #[arg(long, value_name = "EMAIL|ID", conflicts_with_all = ["data", "all_segments"])]
    profile: Option<String>,
    /// Check it as the recipient data in this JSON file.
    #[arg(long, value_name = "FILE.json", conflicts_with = "all_segments")]
    data: Option<PathBuf>,
    /// Check it for a representative of every segment it refers to and the coverage preview's
    /// edge cases (a block only one segment sees can break only that segment's email).
    #[arg(long)]
    all_segments: bool,
    /// The clients to check, as caniemail names them (family.platform; `*` matches anything),
    /// comma-separated: `outlook.*,gmail.*`. Default: the workspace's [qa] clients.
    #[arg(long, value_name = "GLOB,...", value_delimiter = ',')]
    clients: Option<Vec<String>>,
    /// Request every distinct link (the only networked check) and report status and redirects.
    #[arg(long)]
    check_links: bool,
    /// Seconds to wait for each link with --check-links.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, requires = "check_links")]
    timeout: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(workspace: Option<&Path>, cwd: &Path, args: &QaArgs) -> anyhow::Result<ExitCode> {
    let mut ws = Workspace::discover(workspace, cwd)?;
    let entry = ws.email(&args.email)?;
    let who = match (&args.profile, &args.data, args.all_segments) {
        (Some(p), _, _) => QaAs::Profile(p.clone()),
        (None, Some(d), _) => QaAs::Data(d.clone()),
        (None, None, true) => QaAs::AllSegments,
        (None, None, false) => QaAs::Empty,
    };
    let mut result = ws.qa(&entry, &who, args.clients.as_deref(), clock::now_ms())?;
    if args.check_links {
        ws.qa_check_links(&mut result, std::time::Duration::from_secs(args.timeout.max(1)))?;
    }
    if args.json {
        out!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_result(&result)?;
    }
    Ok(if result.fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn level(f: &Finding) -> &'static str {
    if f.ignored.is_some() {
        return "ignored";
    }
    match f.level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "info",
    }
}

/// The findings of one report, grouped by block, as lines.
pub(crate) fn finding_lines(findings: &[Finding]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current: Option<Option<&str>> = None;
    for f in findings {
        let block = f.block.as_deref();
        if current != Some(block) {
            lines.push(match block {
                Some(b) => format!("  block \"{b}\":"),
                None => "  the whole email:".to_owned(),
            });
            current = Some(block);
        }
        let mut where_ = String::new();
        if let Some(field) = &f.field {
            where_.push_str(&format!("field \"{field}\", "));
        }
        if f.line > 0 {
            where_.push_str(&format!("line {}, ", f.line));
        }
        let fails = if f.fails { " [fails]" } else { "" };
        lines.push(format!("    {}{fails}: {where_}{} ({})", level(f), f.message, f.rule));
        for note in &f.notes {
            lines.push(format!("      note: {note}"));
        }
        if let Some(reason) = &f.ignored {
            lines.push(format!("      ignored in [qa]: {reason}"));
        }
    }
    lines
}

fn print_result(result: &QaResult) -> anyhow::Result<()> {
    for case in &result.cases {
        let r = &case.report;
        out!(
            "{} as {}: {} clients (caniemail data of {})",
            result.email,
            case.name,
            r.clients.len(),
            r.data_date.get(..10).unwrap_or(&r.data_date)
        );
        out!(
            "  {:<22} {:>7} {:>6} {:>6} {:>4}",
            "client family",
            "clients",
            "green",
            "amber",
            "red"
        );
        for f in &r.families {
            out!(
                "  {:<22} {:>7} {:>6} {:>6} {:>4}",
                f.name,
                f.clients.len(),
                f.green,
                f.amber,
                f.red
            );
        }
        for line in finding_lines(&r.findings) {
            out!("{line}");
        }
        let count = |l: Level| {
            r.findings
                .iter()
                .filter(|f| f.ignored.is_none() && f.level == l)
                .count()
        };
        let ignored = r.findings.iter().filter(|f| f.ignored.is_some()).count();
        let failing = r.findings.iter().filter(|f| f.fails).count();
        out!(
            "  {} error(s), {} warning(s), {ignored} ignored; {}",
            count(Level::Error),
            count(Level::Warning),
            if failing == 0 {
                "passes".to_owned()
            } else {
                format!("fails ({failing} failing finding(s))")
            }
        );
    }
    Ok(())
}

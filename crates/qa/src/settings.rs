//! The workspace's `[qa]` table: the clients to check, which findings fail a check, and findings
//! ignored on purpose, each with its reason (kept in git, shown in the report).
//!
//! ```toml
//! [qa]
//! clients = ["gmail.*", "outlook.*", "apple-mail.*"]
//! fail_on = ["unsupported", "accessibility", "links"]
//!
//! [[qa.ignore]]
//! rule = "support:css-border-radius"
//! clients = ["outlook.windows"]
//! reason = "Outlook for Windows shows square button corners; accepted"
//! ```

use serde::Deserialize;

use crate::clients::{self, glob_matches, Client};
use crate::{Category, Finding, Level, QaReport};

/// What `fail_on` may name.
pub const FAIL_ON: &[(&str, &str)] = &[
    (
        "unsupported",
        "a feature a checked client does not support (client support errors)",
    ),
    ("partial", "a feature a checked client supports only partly"),
    ("accessibility", "accessibility errors"),
    ("accessibility-warnings", "accessibility warnings too"),
    ("links", "link errors"),
    ("content", "content and size errors"),
    ("warnings", "every warning of any kind"),
];

/// The default of `fail_on`: anything unsupported in a checked client, every accessibility error
/// and every link error.
pub const DEFAULT_FAIL_ON: &[&str] = &["unsupported", "accessibility", "links"];

/// A problem in `[qa]`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    /// A client glob selects no client.
    #[error("[qa] clients: \"{0}\" matches no email client (names are caniemail's family.platform, e.g. outlook.windows, gmail.*)")]
    UnknownClient(String),
    /// `fail_on` names something unknown.
    #[error("[qa] fail_on: \"{0}\" is not one of unsupported, partial, accessibility, accessibility-warnings, links, content, warnings")]
    UnknownFailOn(String),
    /// An ignore without a reason.
    #[error("[qa] ignore of \"{0}\": the reason is empty (say why the finding is accepted)")]
    NoReason(String),
}

/// `[qa]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QaSettings {
    /// Client globs; the default list when absent.
    #[serde(default)]
    pub clients: Option<Vec<String>>,
    /// Which findings fail a check; [`DEFAULT_FAIL_ON`] when absent.
    #[serde(default)]
    pub fail_on: Option<Vec<String>>,
    /// Findings accepted on purpose.
    #[serde(default)]
    pub ignore: Vec<Ignore>,
}

/// `[[qa.ignore]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// The rule (`support:css-border-radius`, `a11y:tap-target`); `*` is a wildcard.
    pub rule: String,
    /// Only for these clients (globs), for client support findings.
    #[serde(default)]
    pub clients: Vec<String>,
    /// Only in this block instance.
    #[serde(default)]
    pub block: Option<String>,
    /// Why it is accepted (required).
    pub reason: String,
}

impl QaSettings {
    /// Checks the names in the table.
    ///
    /// # Errors
    /// An unknown client glob or `fail_on` name, or an ignore without a reason.
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.clients()?;
        for name in self.fail_on() {
            if !FAIL_ON.iter().any(|(n, _)| *n == name) {
                return Err(SettingsError::UnknownFailOn(name));
            }
        }
        if let Some(i) = self.ignore.iter().find(|i| i.reason.trim().is_empty()) {
            return Err(SettingsError::NoReason(i.rule.clone()));
        }
        Ok(())
    }

    /// The clients to check: `override_globs` (e.g. `--clients`) when given, else the table's,
    /// else the default list.
    ///
    /// # Errors
    /// A glob that selects no client.
    pub fn clients_with(&self, override_globs: Option<&[String]>) -> Result<Vec<Client>, SettingsError> {
        let globs = override_globs
            .map(<[String]>::to_vec)
            .or_else(|| self.clients.clone())
            .unwrap_or_else(clients::default_globs);
        let (selected, unmatched) = clients::select(&globs);
        match unmatched.into_iter().next() {
            Some(glob) => Err(SettingsError::UnknownClient(glob)),
            None => Ok(selected),
        }
    }

    /// The clients of the table (or the default list).
    ///
    /// # Errors
    /// As [`QaSettings::clients_with`].
    pub fn clients(&self) -> Result<Vec<Client>, SettingsError> {
        self.clients_with(None)
    }

    /// `fail_on`, or its default.
    #[must_use]
    pub fn fail_on(&self) -> Vec<String> {
        self.fail_on
            .clone()
            .unwrap_or_else(|| DEFAULT_FAIL_ON.iter().map(|s| (*s).to_owned()).collect())
    }

    /// Marks ignored findings (splitting a client support finding when an ignore names only some
    /// of its clients) and failing ones, and sets `report.fails`.
    pub fn apply(&self, report: &mut QaReport) {
        let fail_on = self.fail_on();
        let mut out = Vec::with_capacity(report.findings.len());
        for f in std::mem::take(&mut report.findings) {
            out.extend(self.ignore_one(f));
        }
        for f in &mut out {
            f.fails = f.ignored.is_none() && fail_on.iter().any(|rule| fails(rule, f));
        }
        report.fails = out.iter().any(|f| f.fails);
        report.findings = out;
    }

    fn ignore_one(&self, mut f: Finding) -> Vec<Finding> {
        for ig in &self.ignore {
            if !glob_matches(&ig.rule, &f.rule) || ig.block.as_ref().is_some_and(|b| f.block.as_ref() != Some(b)) {
                continue;
            }
            if ig.clients.is_empty() || f.clients.is_empty() {
                f.ignored = Some(ig.reason.clone());
                return vec![f];
            }
            let (hit, rest): (Vec<String>, Vec<String>) = f
                .clients
                .iter()
                .cloned()
                .partition(|c| ig.clients.iter().any(|g| glob_matches(g, c)));
            if hit.is_empty() {
                continue;
            }
            let mut ignored = f.clone();
            ignored
                .notes
                .retain(|n| hit.iter().any(|c| n.starts_with(&format!("{c}:"))));
            ignored.clients = hit;
            ignored.ignored = Some(ig.reason.clone());
            if rest.is_empty() {
                return vec![ignored];
            }
            f.notes.retain(|n| rest.iter().any(|c| note_of(n, c)));
            f.clients = rest;
            let mut tail = self.ignore_one(f);
            tail.insert(0, ignored);
            return tail;
        }
        vec![f]
    }
}

/// Whether a note (`outlook.windows: ...`) is about `client`.
fn note_of(note: &str, client: &str) -> bool {
    note.strip_prefix(client).is_some_and(|rest| rest.starts_with(':'))
}

fn fails(rule: &str, f: &Finding) -> bool {
    match rule {
        "unsupported" => f.category == Category::Support && f.level == Level::Error,
        "partial" => f.category == Category::Support && f.level == Level::Warning,
        "accessibility" => f.category == Category::Accessibility && f.level == Level::Error,
        "accessibility-warnings" => f.category == Category::Accessibility && f.level >= Level::Warning,
        "links" => f.category == Category::Links && f.level == Level::Error,
        "content" => f.category == Category::Content && f.level == Level::Error,
        "warnings" => f.level >= Level::Warning,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn support(rule: &str, clients: &[&str]) -> Finding {
        let mut f = Finding::new(rule, Category::Support, Level::Error, "x");
        f.clients = clients.iter().map(|c| (*c).to_owned()).collect();
        f.notes = vec!["outlook.windows: a note".to_owned()];
        f
    }

    #[test]
    fn ignores_split_by_client_and_failing_follows_fail_on() {
        let settings: QaSettings = toml_like(
            r#"{"ignore": [{"rule": "support:css-border-radius", "clients": ["outlook.windows"], "reason": "square corners are fine"}]}"#,
        );
        let mut report = QaReport {
            findings: vec![support(
                "support:css-border-radius",
                &["outlook.windows", "outlook.macos"],
            )],
            ..QaReport::default()
        };
        settings.apply(&mut report);
        assert_eq!(report.findings.len(), 2);
        let ignored = report.findings.iter().find(|f| f.ignored.is_some());
        assert_eq!(
            ignored.map(|f| f.clients.clone()),
            Some(vec!["outlook.windows".to_owned()])
        );
        assert_eq!(ignored.map(|f| f.notes.len()), Some(1));
        assert!(ignored.is_some_and(|f| !f.fails));
        let kept = report.findings.iter().find(|f| f.ignored.is_none());
        assert_eq!(kept.map(|f| f.clients.clone()), Some(vec!["outlook.macos".to_owned()]));
        assert!(kept.is_some_and(|f| f.fails && f.notes.is_empty()));
        assert!(report.fails);

        let lenient: QaSettings = toml_like(r#"{"fail_on": ["links"]}"#);
        let mut report = QaReport {
            findings: vec![support("support:css-display-flex", &["outlook.windows"])],
            ..QaReport::default()
        };
        lenient.apply(&mut report);
        assert!(!report.fails);
    }

    #[test]
    fn validation_names_the_bad_entry() {
        let bad: QaSettings = toml_like(r#"{"clients": ["hotmail.*"]}"#);
        assert_eq!(
            bad.validate(),
            Err(SettingsError::UnknownClient("hotmail.*".to_owned()))
        );
        let bad: QaSettings = toml_like(r#"{"fail_on": ["everything"]}"#);
        assert_eq!(
            bad.validate(),
            Err(SettingsError::UnknownFailOn("everything".to_owned()))
        );
        let bad: QaSettings = toml_like(r#"{"ignore": [{"rule": "a11y:*", "reason": " "}]}"#);
        assert_eq!(bad.validate(), Err(SettingsError::NoReason("a11y:*".to_owned())));
        assert_eq!(QaSettings::default().validate(), Ok(()));
    }

    fn toml_like(json: &str) -> QaSettings {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }
}

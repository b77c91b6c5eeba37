//! The History screen's view of the versions: whether the workspace keeps versions and every
//! version, newest first; starting to keep versions; and the save, compare and restore use cases
//! of [`crate::history`] with the screen's defaults (the working copy as the newer side).

use serde::Serialize;
use tessera_core::export::Target;

use super::{EmailDiff, Restored, SavedVersion, Version, WORKING};
use crate::{Workspace, WorkspaceError};

/// What the History screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryView {
    /// Whether the workspace keeps versions (its folder is a git repository).
    pub is_repository: bool,
    /// Every version, newest first (the UI marks those that changed the open email).
    pub versions: Vec<Version>,
}

/// The workspace's versions; none when it does not keep versions yet.
///
/// # Errors
/// A git failure.
pub fn overview(ws: &Workspace) -> Result<HistoryView, WorkspaceError> {
    if !ws.is_repository() {
        return Ok(HistoryView {
            is_repository: false,
            versions: Vec::new(),
        });
    }
    Ok(HistoryView {
        is_repository: true,
        versions: ws.history(None)?,
    })
}

/// Makes the workspace keep versions (a git repository; nothing is saved yet).
///
/// # Errors
/// The demo, a folder that is already a repository, a file or git failure.
pub fn start(ws: &Workspace) -> Result<HistoryView, WorkspaceError> {
    ws.init_repository()?;
    overview(ws)
}

/// Saves the working copy as a version signed by `author` (`NAME <EMAIL>`; `None`: git's
/// configured user).
///
/// # Errors
/// As [`Workspace::save_version`]: no author, an empty message, nothing changed, a failed export.
pub fn save(
    ws: &mut Workspace,
    message: &str,
    author: Option<&str>,
    cancel: &crate::Cancel,
    progress: &dyn Fn(u64, u64),
) -> Result<SavedVersion, WorkspaceError> {
    ws.save_version_with(
        message,
        author.map(str::trim).filter(|a| !a.is_empty()),
        cancel,
        progress,
    )
}

/// Compares `email` between version `from` and `to` (`None`: the working copy); with `target`,
/// that target's exported code too.
///
/// # Errors
/// An unknown target or version, an email in neither side, a failed export.
pub fn diff(
    ws: &mut Workspace,
    email: &str,
    from: &str,
    to: Option<&str>,
    target: Option<Target>,
) -> Result<EmailDiff, WorkspaceError> {
    ws.diff(email, Some(from), Some(to.unwrap_or(WORKING)), target)
}

/// Writes `email` as it was in `version` to its file (a change to the working copy).
///
/// # Errors
/// An unknown version, an email the version does not have, a write failure.
pub fn restore(ws: &Workspace, email: &str, version: &str) -> Result<Restored, WorkspaceError> {
    ws.restore(email, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTHOR: &str = "Ada Tester <ada@example.com>";

    #[test]
    fn save_two_versions_compare_them_and_restore_the_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let mut ws = Workspace::open(dir.path()).expect("open");
        assert!(!overview(&ws).expect("overview").is_repository);
        let view = start(&ws).expect("start");
        assert!(view.is_repository && view.versions.is_empty());

        let first = save(&mut ws, "First", Some(AUTHOR), &crate::Cancel::new(), &|_, _| {}).expect("first version");
        let file = dir.path().join("emails/welcome.email.json");
        let original = std::fs::read_to_string(&file).expect("read");
        let mut doc: serde_json::Value = serde_json::from_str(&original).expect("json");
        doc["subject"] = serde_json::Value::String("A second subject".into());
        std::fs::write(&file, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
        // Cancelled before the commit: no version, the change stays in the working copy.
        let cancel = crate::Cancel::new();
        cancel.cancel();
        let e = save(&mut ws, "Cancelled", Some(AUTHOR), &cancel, &|_, _| {}).expect_err("cancelled");
        assert_eq!(e.kind(), crate::ErrorKind::Cancelled, "{e}");
        assert_eq!(overview(&ws).expect("overview").versions.len(), 1);
        let seen = std::cell::RefCell::new(Vec::new());
        let progress = |done: u64, total: u64| seen.borrow_mut().push((done, total));
        let second = save(&mut ws, "Second", Some(AUTHOR), &crate::Cancel::new(), &progress).expect("second version");
        assert_eq!(seen.into_inner().last(), Some(&(1, 1)));
        assert_eq!(overview(&ws).expect("overview").versions.len(), 2);

        let d = diff(
            &mut ws,
            "welcome",
            &first.version.id,
            Some(&second.version.id),
            Some(Target::Liquid),
        )
        .expect("diff");
        assert!(
            d.changes.email.iter().any(|c| c.name == "subject"),
            "{:?}",
            d.changes.email
        );
        assert!(d
            .export
            .as_ref()
            .is_some_and(|e| e.unified.contains("A second subject")));
        assert!(diff(&mut ws, "welcome", "nope", None, Some(Target::Liquid)).is_err());

        restore(&ws, "welcome", &first.version.id).expect("restore");
        let back: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
        let was: serde_json::Value = serde_json::from_str(&original).expect("json");
        assert_eq!(back, was);
        assert!(save(&mut ws, "", Some(AUTHOR), &crate::Cancel::new(), &|_, _| {}).is_err());
    }
}

//! What crosses IPC besides the use cases' own types: errors as `{code, message}` (the code is the
//! workspace's one classification, [`ErrorKind`]), and the names of every command from the one
//! list in `command_list.rs`.

use serde::{Deserialize, Serialize};
use tessera_workspace::{ErrorKind, WorkspaceError};

/// The command names of `command_list.rs`.
macro_rules! commands {
    ($($module:ident :: $name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

/// Every command the UI may invoke, in the order of `command_list.rs`.
pub const COMMANDS: &[&str] = include!("command_list.rs");

/// An error as it crosses IPC: a code for the UI's logic and a message for the designer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct IpcError {
    /// What kind of failure.
    pub code: ErrorKind,
    /// What happened, in words a designer understands.
    pub message: String,
}

impl IpcError {
    /// An internal failure of the shell itself (a window that cannot close, a poisoned lock).
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: ErrorKind::Internal,
            message: message.into(),
        }
    }
}

impl From<WorkspaceError> for IpcError {
    fn from(e: WorkspaceError) -> Self {
        Self {
            code: e.kind(),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_listed_once_with_a_permission_in_the_capability() {
        let mut seen = std::collections::BTreeSet::new();
        for c in COMMANDS {
            assert!(seen.insert(c), "{c} is listed twice");
        }
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).expect("capability JSON");
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(serde_json::Value::as_str)
            .filter(|p| p.starts_with("allow-"))
            .collect();
        let expected: Vec<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        assert_eq!(granted, expected);
    }

    #[test]
    fn errors_keep_the_workspace_kind_and_message() {
        let e = IpcError::from(WorkspaceError::NoSample("nobody".to_owned()));
        assert_eq!(e.code, ErrorKind::ProfileNotFound);
        assert!(e.message.contains("nobody"), "{}", e.message);
        let json = serde_json::to_value(&e).expect("json");
        assert_eq!(json["code"], "profile_not_found");
    }
}

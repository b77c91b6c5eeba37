//! What to type next, for the errors whose fix is a `tessera` command. The libraries say what went
//! wrong; only the command line knows its own commands, so the hints live here.

use tessera_workspace::history::HistoryError;
use tessera_workspace::send::SendError;
use tessera_workspace::WorkspaceError;

/// The command-line hint for an error, when one helps.
pub(crate) fn hint(e: &WorkspaceError) -> Option<String> {
    Some(match e {
        WorkspaceError::NotAWorkspace { .. } => "create one with `tessera init`".to_owned(),
        WorkspaceError::DemoHasNoStore | WorkspaceError::DemoHasNoHistory | WorkspaceError::ReadOnly => {
            "create a workspace with `tessera init DIR` and use --workspace DIR".to_owned()
        }
        WorkspaceError::NoStore => "import profiles with `tessera import FILE --kind profiles`".to_owned(),
        WorkspaceError::NoRecipients => "give --to ADDR[,ADDR...]".to_owned(),
        WorkspaceError::History(h) => match h {
            HistoryError::NotARepository { .. } => {
                "run `tessera init` in it to make it one (nothing is committed until you run `tessera save`)".to_owned()
            }
            HistoryError::NoVersions { .. } => "save one with `tessera save -m MESSAGE`".to_owned(),
            HistoryError::UnknownVersion { .. } => "`tessera history` lists the versions and their ids".to_owned(),
            HistoryError::NoAuthor => "pass --author \"NAME <EMAIL>\" or set one with `git config --global user.name NAME` and `git config --global user.email EMAIL`".to_owned(),
            HistoryError::EmptyMessage => "say what changed with -m \"MESSAGE\"".to_owned(),
            _ => return None,
        },
        WorkspaceError::Send(s) => match s {
            SendError::PasswordMissing { profile, env_var, .. } => {
                format!("store one in the OS keyring with `tessera smtp set-password {profile}`, or set {env_var}")
            }
            SendError::NotInOutbox(_) => "`tessera outbox list` lists the messages".to_owned(),
            SendError::PasswordNotAllowedHere { place, .. } => match place
                .strip_prefix("[smtp.")
                .and_then(|p| p.strip_suffix(']'))
            {
                Some(profile) => format!("store the password with `tessera smtp set-password {profile}`"),
                None => return None,
            },
            _ => return None,
        },
        _ => return None,
    })
}

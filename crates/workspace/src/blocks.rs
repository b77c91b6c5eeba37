//! Block types in use: every block type with the emails that use it (in columns and fallbacks too),
//! and where a workspace block type's files are.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use tessera_core::model::{BlockInstance, BlockOrigin, Fallback};

use crate::{Workspace, WorkspaceError};

/// A block type and where it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BlockTypeUsage {
    /// The type id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its category.
    pub category: String,
    /// Built in, or the workspace's own.
    pub origin: BlockOrigin,
    /// The emails that use it, with how many times each.
    pub emails: Vec<(String, u32)>,
    /// The folder of a workspace block type (`blocks/<id>`); built-in types have none.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
}

/// Every block type with the emails that use it; emails that cannot be read are listed in the
/// second value with why.
///
/// # Errors
/// None today; kept fallible for the store of future block sources.
pub fn usage(ws: &Workspace) -> Result<(Vec<BlockTypeUsage>, Vec<String>), WorkspaceError> {
    let mut uses: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    let mut problems = Vec::new();
    for email in ws.email_names() {
        match ws.email(&email) {
            Ok(entry) => {
                let mut count = |b: &BlockInstance| {
                    *uses
                        .entry(b.block_type.clone())
                        .or_default()
                        .entry(email.clone())
                        .or_default() += 1;
                };
                for b in &entry.document.blocks {
                    walk(b, &mut count);
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    let root = ws.root.clone();
    let list = ws
        .library
        .iter()
        .map(|t| BlockTypeUsage {
            id: t.id.clone(),
            name: t.schema.name.clone(),
            category: t.schema.category.clone(),
            origin: t.origin.clone(),
            emails: uses
                .get(&t.id)
                .map(|m| m.iter().map(|(e, n)| (e.clone(), *n)).collect())
                .unwrap_or_default(),
            folder: match (&t.origin, &root) {
                (BlockOrigin::Workspace, Some(r)) => Some(r.join("blocks").join(&t.id).display().to_string()),
                _ => None,
            },
        })
        .collect();
    Ok((list, problems))
}

fn walk(block: &BlockInstance, f: &mut dyn FnMut(&BlockInstance)) {
    f(block);
    for children in block.slots.values() {
        for c in children {
            walk(c, f);
        }
    }
    if let Fallback::Block(b) = &block.fallback {
        walk(b, f);
    }
}

/// The folder of the workspace block type `id` (`blocks/<id>`), to open in the file manager.
///
/// # Errors
/// A built-in or unknown type (they have no folder in the workspace), the read-only demo.
pub fn folder(ws: &Workspace, id: &str) -> Result<PathBuf, WorkspaceError> {
    let dir = ws.writable_root()?.join("blocks").join(id);
    let own = ws
        .library
        .iter()
        .any(|t| t.id == id && t.origin == BlockOrigin::Workspace);
    if !own || !tessera_core::model::is_valid_id(id) || !dir.is_dir() {
        return Err(WorkspaceError::Io {
            path: dir,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "only the workspace's own block types have a folder to open (built-in ones live inside Tessera)",
            ),
        });
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_counts_blocks_in_every_email_and_only_workspace_types_have_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let ws = Workspace::open(dir.path()).expect("open");
        let (list, problems) = usage(&ws).expect("usage");
        assert!(problems.is_empty(), "{problems:?}");
        let hero = list.iter().find(|b| b.id == "hero").expect("hero");
        assert!(
            hero.emails.iter().any(|(e, n)| e == "welcome" && *n >= 1),
            "{:?}",
            hero.emails
        );
        assert!(hero.folder.is_none());
        assert!(folder(&ws, "hero").is_err());
        if let Some(own) = list.iter().find(|b| b.origin == BlockOrigin::Workspace) {
            assert_eq!(
                folder(&ws, &own.id).expect("folder").display().to_string(),
                own.folder.clone().unwrap_or_default()
            );
        }
    }
}

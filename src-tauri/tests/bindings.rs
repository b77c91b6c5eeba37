//! The committed TypeScript bindings (`ui/src/bindings/`) must equal what ts-rs generates from the
//! Rust types. Run with `TESSERA_BLESS=1` to rewrite them after changing an IPC type.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|x| x == "ts") {
                let rel = path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_default();
                out.insert(rel, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn committed_bindings_are_fresh() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(tessera_desktop::bindings::BINDINGS_DIR);
    let fresh_dir = tempfile::tempdir().expect("temp dir");
    tessera_desktop::bindings::export_all(fresh_dir.path()).expect("export");
    let fresh = files(fresh_dir.path());
    assert!(fresh.contains_key(Path::new("Preview.ts")), "{:?}", fresh.keys());
    if std::env::var_os("TESSERA_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        for (rel, text) in &fresh {
            let path = committed.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
        }
        return;
    }
    let old = files(&committed);
    let stale: Vec<_> = fresh
        .iter()
        .filter(|(rel, text)| old.get(*rel) != Some(*text))
        .map(|(rel, _)| rel.display().to_string())
        .chain(
            old.keys()
                .filter(|rel| !fresh.contains_key(*rel))
                .map(|rel| format!("{} (no longer generated)", rel.display())),
        )
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/bindings is stale ({}); regenerate with TESSERA_BLESS=1 cargo test -p tessera-desktop --test bindings",
        stale.join(", ")
    );
}

//! The app's own commands get permissions (`allow-<command>`), and the designer window's
//! capability grants exactly those, both from the one list in `src/command_list.rs`.

/// The command names of `src/command_list.rs`.
macro_rules! commands {
    ($($module:ident :: $name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = include!("src/command_list.rs");

/// What the window may do besides the app's commands: listen to the app's events. No file system,
/// shell, dialog, opener or window APIs.
const CORE_PERMISSIONS: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

fn capability() -> String {
    let permissions: Vec<String> = CORE_PERMISSIONS
        .iter()
        .map(|p| (*p).to_owned())
        .chain(COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))))
        .map(|p| format!("    \"{p}\""))
        .collect();
    format!(
        r#"{{
  "$schema": "../gen/schemas/desktop-schema.json",
  "identifier": "designer",
  "description": "The designer window: the app's own commands and listening for its events. No file system, shell, dialog, opener or window APIs: Rust reads and writes every file, shows the file and folder dialogs and opens block folders. The preview iframes are sandboxed and get nothing. Written by build.rs from src/command_list.rs.",
  "windows": [
    "main"
  ],
  "permissions": [
{}
  ]
}}
"#,
        permissions.join(",\n")
    )
}

fn main() {
    let path = std::path::Path::new("capabilities/default.json");
    let wanted = capability();
    if std::fs::read_to_string(path).ok().as_deref() != Some(wanted.as_str()) {
        std::fs::write(path, &wanted).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
    println!("cargo:rerun-if-changed=src/command_list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}

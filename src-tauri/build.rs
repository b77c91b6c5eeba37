// The app's own commands get permissions (`allow-<command>`), so the capability file can grant the
// window exactly the commands the UI uses and nothing else.
fn main() {
    let commands = &[
        "workspace_summary",
        "choose_workspace",
        "load_email",
        "create_email",
        "save_email",
        "render_preview",
        "search_profiles",
        "startup_ms",
        "finish_close",
        "choose_import_file",
        "import_preview",
        "import_file",
        "browse_profiles",
        "profile_card",
        "list_segments",
        "count_segment",
        "save_segment",
        "segment_coverage",
        "export_targets",
        "export_email",
        "save_export",
        "send_setup",
        "store_smtp_password",
        "send_test",
        "outbox_list",
        "outbox_message",
        "block_usage",
        "open_block_folder",
        "history_overview",
        "start_versioning",
        "save_version",
        "diff_versions",
        "restore_version",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}

//! The TypeScript bindings of every type that crosses IPC, generated with ts-rs into
//! `ui/src/bindings/` (never written by hand). `tests/bindings.rs` fails when the committed files are
//! stale; `TESSERA_BLESS=1 cargo test -p tessera-desktop --test bindings` rewrites them.

use std::path::Path;

use tessera_core::model::Document;
use tessera_store::import::ImportReport;
use tessera_store::profiles::ProfileSummary;
use tessera_workspace::editor::{
    EmailFile, ErrorCode, IpcError, Preview, PreviewAs, PreviewRequest, ProfileHit, SaveResult, WorkspaceSummary,
};
use tessera_workspace::screens::blocks::BlockTypeUsage;
use tessera_workspace::screens::export::TargetExport;
use tessera_workspace::screens::history::HistoryView;
use tessera_workspace::screens::profiles::{ImportPreview, ProfileCard};
use tessera_workspace::screens::segments::{Coverage, DraftCount, SegmentInfo};
use tessera_workspace::screens::send::{OutboxItem, OutboxMessage, SendForm, SendSetup};
use tessera_workspace::send::SendReport;
use tessera_workspace::versions::{EmailDiff, Restored, SavedVersion};
use ts_rs::TS;

/// Where the bindings live, relative to the repository root.
pub const BINDINGS_DIR: &str = "ui/src/bindings";

/// Writes the binding of every IPC type (and every type they use) into `dir`.
///
/// # Errors
/// A file cannot be written.
pub fn export_all(dir: &Path) -> Result<(), ts_rs::ExportError> {
    WorkspaceSummary::export_all_to(dir)?;
    EmailFile::export_all_to(dir)?;
    Document::export_all_to(dir)?;
    PreviewRequest::export_all_to(dir)?;
    PreviewAs::export_all_to(dir)?;
    Preview::export_all_to(dir)?;
    ProfileHit::export_all_to(dir)?;
    SaveResult::export_all_to(dir)?;
    IpcError::export_all_to(dir)?;
    ErrorCode::export_all_to(dir)?;
    ImportPreview::export_all_to(dir)?;
    ImportReport::export_all_to(dir)?;
    ProfileSummary::export_all_to(dir)?;
    ProfileCard::export_all_to(dir)?;
    SegmentInfo::export_all_to(dir)?;
    DraftCount::export_all_to(dir)?;
    Coverage::export_all_to(dir)?;
    TargetExport::export_all_to(dir)?;
    SendSetup::export_all_to(dir)?;
    SendForm::export_all_to(dir)?;
    SendReport::export_all_to(dir)?;
    OutboxItem::export_all_to(dir)?;
    OutboxMessage::export_all_to(dir)?;
    BlockTypeUsage::export_all_to(dir)?;
    HistoryView::export_all_to(dir)?;
    SavedVersion::export_all_to(dir)?;
    EmailDiff::export_all_to(dir)?;
    Restored::export_all_to(dir)?;
    Ok(())
}

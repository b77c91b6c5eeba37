//! The asset library's commands and the read-only `tessera-asset:` protocol that lets the preview
//! show the workspace's `assets/` (the preview frame itself stays without scripts and same-origin
//! access: it only loads images and fonts from this protocol).

use std::borrow::Cow;

use tauri::http::{header, Method, Request, Response, StatusCode};
use tauri::{Manager, Runtime, State, UriSchemeContext};
use tessera_workspace::assets::{AddedAsset, AssetInfo};

use crate::ipc::IpcError;
use crate::AppState;

type Reply<T> = Result<T, IpcError>;

/// The assets of the open workspace: thumbnails' sources, sizes, weights and where each is used.
#[tauri::command]
pub fn list_assets(state: State<'_, AppState>) -> Reply<Vec<AssetInfo>> {
    Ok(state.session()?.workspace().assets()?)
}

/// Adds a file's bytes (chosen in a file input or pasted) to the library, scaled to twice
/// `display_width` when wider.
#[tauri::command]
pub fn add_asset(
    state: State<'_, AppState>,
    name: String,
    bytes: Vec<u8>,
    display_width: Option<u32>,
) -> Reply<AddedAsset> {
    Ok(state.session()?.workspace().add_asset(&name, &bytes, display_width)?)
}

/// Adds files dropped on the window (paths from the system's drag and drop).
#[tauri::command]
pub fn add_asset_files(
    state: State<'_, AppState>,
    paths: Vec<String>,
    display_width: Option<u32>,
) -> Reply<Vec<AddedAsset>> {
    let session = state.session()?;
    paths
        .iter()
        .map(|path| {
            let path = std::path::Path::new(path);
            let bytes = std::fs::read(path).map_err(|source| tessera_workspace::WorkspaceError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(session.workspace().add_asset(&name, &bytes, display_width)?)
        })
        .collect()
}

/// Removes one unused asset.
#[tauri::command]
pub fn remove_asset(state: State<'_, AppState>, name: String) -> Reply<()> {
    Ok(state.session()?.workspace().remove_asset(&name)?)
}

/// Removes every unused asset; returns their names.
#[tauri::command]
pub fn prune_assets(state: State<'_, AppState>) -> Reply<Vec<String>> {
    Ok(state.session()?.workspace().prune_assets(false)?)
}

/// Serves `tessera-asset://localhost/<name>`: GET (or HEAD) of a library file by its name only, with
/// its type by content; everything else is refused. Names are content hashes, so responses never
/// change and may be cached; any origin may read them (the preview frame's origin is opaque, and
/// fonts need CORS).
pub fn serve<R: Runtime>(ctx: UriSchemeContext<'_, R>, request: Request<Vec<u8>>) -> Response<Cow<'static, [u8]>> {
    let empty = |status: StatusCode| {
        Response::builder()
            .status(status)
            .body(Cow::Borrowed(&[][..]))
            .unwrap_or_default()
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return empty(StatusCode::METHOD_NOT_ALLOWED);
    }
    let name = request.uri().path().trim_start_matches('/').to_owned();
    let Some(state) = ctx.app_handle().try_state::<AppState>() else {
        return empty(StatusCode::SERVICE_UNAVAILABLE);
    };
    let found = state
        .session()
        .ok()
        .and_then(|session| session.workspace().asset_bytes(&name).ok());
    match found {
        Some((bytes, mime)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, mime)
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(Cow::Owned(if request.method() == Method::HEAD {
                Vec::new()
            } else {
                bytes
            }))
            .unwrap_or_default(),
        None => empty(StatusCode::NOT_FOUND),
    }
}

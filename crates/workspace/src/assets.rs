//! The workspace's image and font assets (`assets/`): adding a file (checked by its content, not
//! its name; optionally scaled to twice its display width), the library with sizes and where each
//! asset is used, the check of every file and reference, and removing unused assets. `tessera
//! assets` and the designer's asset library both call these.
//!
//! Names are `<stem>-<first 12 hex digits of the SHA-256 of the bytes>.<ext>`: a changed file is a
//! new name, so no cache or CDN ever serves a stale image, and the same file added twice is one
//! asset.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::PathBuf;

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use tessera_core::assets::{is_asset_name, referenced_assets, referenced_by_settings, ASSETS_DIR};

use crate::{write_atomic, Workspace, WorkspaceError};

/// The heaviest asset accepted: images over 1 MB load slowly in inboxes and fonts larger than this
/// are not subsets.
pub const MAX_ASSET_BYTES: u64 = 1024 * 1024;
/// The largest image side accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 4000;
/// Above this weight the check warns (clients and mobile data plans prefer small images).
pub const HEAVY_ASSET_BYTES: u64 = 300 * 1024;

/// What an asset is, judged by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum AssetFormat {
    /// PNG image.
    Png,
    /// JPEG image.
    Jpg,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// WOFF2 font.
    Woff2,
    /// WOFF font.
    Woff,
    /// TrueType font.
    Ttf,
    /// OpenType (CFF) font.
    Otf,
}

impl AssetFormat {
    /// The file extension of the format.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpg => "jpg",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Woff2 => "woff2",
            Self::Woff => "woff",
            Self::Ttf => "ttf",
            Self::Otf => "otf",
        }
    }

    /// The MIME type, e.g. `image/png`.
    #[must_use]
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Woff2 => "font/woff2",
            Self::Woff => "font/woff",
            Self::Ttf => "font/ttf",
            Self::Otf => "font/otf",
        }
    }

    /// True for images, false for fonts.
    #[must_use]
    pub fn is_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpg | Self::Gif | Self::Webp)
    }

    /// The format of `bytes` by their signature (magic bytes), whatever the file is called.
    #[must_use]
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match image::guess_format(bytes) {
            Ok(image::ImageFormat::Png) => return Some(Self::Png),
            Ok(image::ImageFormat::Jpeg) => return Some(Self::Jpg),
            Ok(image::ImageFormat::Gif) => return Some(Self::Gif),
            Ok(image::ImageFormat::WebP) => return Some(Self::Webp),
            _ => {}
        }
        match bytes.get(..4)? {
            b"wOF2" => Some(Self::Woff2),
            b"wOFF" => Some(Self::Woff),
            b"\x00\x01\x00\x00" | b"true" => Some(Self::Ttf),
            b"OTTO" => Some(Self::Otf),
            _ => None,
        }
    }

    fn image_format(self) -> Option<image::ImageFormat> {
        match self {
            Self::Png => Some(image::ImageFormat::Png),
            Self::Jpg => Some(image::ImageFormat::Jpeg),
            Self::Gif => Some(image::ImageFormat::Gif),
            Self::Webp => Some(image::ImageFormat::WebP),
            _ => None,
        }
    }
}

/// One asset of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssetInfo {
    /// The file name in `assets/`.
    pub name: String,
    /// What fields hold to use it: `assets/<name>`.
    pub path: String,
    /// Its format, by content.
    pub format: AssetFormat,
    /// Its MIME type.
    pub mime: String,
    /// Its weight in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    /// Width in pixels (images).
    pub width: Option<u32>,
    /// Height in pixels (images).
    pub height: Option<u32>,
    /// What uses it: emails, `tessera.toml` (brand settings, dictionary examples), workspace block
    /// types (`blocks/<id>`) and sample data files (`data/<file>`).
    pub used_by: Vec<String>,
}

/// An asset added to the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AddedAsset {
    /// The asset as stored.
    pub asset: AssetInfo,
    /// True when the same content was already in the library (nothing was written).
    pub existed: bool,
    /// The original width when the image was scaled down to twice its display width.
    pub scaled_from: Option<u32>,
}

/// How serious a problem of the asset check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum AssetLevel {
    /// An email would show a broken image or font.
    Error,
    /// Worth a look: unused, heavy.
    Warning,
}

/// One finding of the asset check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssetProblem {
    /// How serious it is.
    pub level: AssetLevel,
    /// The file (`assets/<name>`) or the email (`emails/<name>.email.json`) it is about.
    pub file: String,
    /// What is wrong, in a designer's words.
    pub message: String,
}

const NOT_AN_ASSET: &str =
    "not a PNG, JPEG, GIF or WebP image, nor a WOFF2, WOFF, TrueType or OpenType font (judged by its content, not its name)";

/// Checks `bytes` as an asset: its format by content, its weight and, for images, its dimensions.
///
/// # Errors
/// A readable reason.
fn inspect(bytes: &[u8]) -> Result<(AssetFormat, Option<(u32, u32)>), String> {
    let format = AssetFormat::sniff(bytes).ok_or_else(|| NOT_AN_ASSET.to_owned())?;
    let weight = bytes.len() as u64;
    if weight > MAX_ASSET_BYTES {
        return Err(format!(
            "{} KB is over the {} KB an email asset may weigh",
            weight / 1024,
            MAX_ASSET_BYTES / 1024
        ));
    }
    let Some(image_format) = format.image_format() else {
        return Ok((format, None));
    };
    let (width, height) = image::ImageReader::with_format(Cursor::new(bytes), image_format)
        .into_dimensions()
        .map_err(|e| format!("the {} image cannot be read: {e}", format.extension()))?;
    if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(format!("{width}×{height} px is outside 1..{MAX_IMAGE_SIDE} px a side"));
    }
    Ok((format, Some((width, height))))
}

/// The name an asset's bytes get: the original name's stem made safe, the hash, the extension.
#[must_use]
pub fn hashed_name(original: &str, bytes: &[u8], format: AssetFormat) -> String {
    let stem = std::path::Path::new(original)
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut safe = String::new();
    for c in stem.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            safe.push(c);
        } else if !safe.is_empty() && !safe.ends_with('-') {
            safe.push('-');
        }
        if safe.len() >= 40 {
            break;
        }
    }
    let safe = safe.trim_end_matches('-');
    let stem = if safe.is_empty() { "asset" } else { safe };
    format!("{stem}-{}.{}", content_hash(bytes), format.extension())
}

/// The first 12 hex digits of the SHA-256 of `bytes`.
fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .fold(String::with_capacity(12), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// Scales an image down to `target` pixels wide (keeping its ratio), in its own format.
fn scale(bytes: &[u8], format: AssetFormat, target: u32) -> Result<Vec<u8>, String> {
    let image_format = format.image_format().ok_or("only images are scaled")?;
    let decoded = image::load_from_memory_with_format(bytes, image_format)
        .map_err(|e| format!("the image cannot be decoded: {e}"))?;
    let height = (u64::from(decoded.height()) * u64::from(target)).div_ceil(u64::from(decoded.width().max(1)));
    let height = u32::try_from(height.max(1)).unwrap_or(u32::MAX);
    let scaled = decoded.resize_exact(target, height, image::imageops::FilterType::Lanczos3);
    let mut out = Cursor::new(Vec::new());
    match format {
        AssetFormat::Jpg => scaled
            .to_rgb8()
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)),
        AssetFormat::Png => scaled.write_with_encoder(image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Best,
            image::codecs::png::FilterType::Adaptive,
        )),
        _ => scaled.write_to(&mut out, image_format),
    }
    .map_err(|e| format!("the scaled image cannot be written: {e}"))?;
    Ok(out.into_inner())
}

impl Workspace {
    /// Adds a file to `assets/` under its content-hashed name. `display_width` (pixels) scales a
    /// PNG or JPEG wider than twice that width down to twice it, for sharp images on high-density
    /// screens without the weight of the original.
    ///
    /// # Errors
    /// The built-in demo is read-only; a file that is not an image or font by its content, too
    /// heavy or too large ([`WorkspaceError::AssetRefused`] names it); a write failure.
    pub fn add_asset(
        &self,
        original_name: &str,
        bytes: &[u8],
        display_width: Option<u32>,
    ) -> Result<AddedAsset, WorkspaceError> {
        let root = self.writable_root()?;
        let refuse = |reason: String| WorkspaceError::AssetRefused {
            file: original_name.to_owned(),
            reason,
        };
        // Judged by content first; an original over the weight limit may still be scaled below it.
        let format = AssetFormat::sniff(bytes).ok_or_else(|| refuse(NOT_AN_ASSET.to_owned()))?;
        if bytes.len() as u64 > MAX_ASSET_BYTES * 16 {
            return Err(refuse(format!(
                "{} KB is far too heavy for an email",
                bytes.len() / 1024
            )));
        }
        let mut data = bytes.to_vec();
        let mut scaled_from = None;
        if let (Some(display), Some(image_format)) = (display_width, format.image_format()) {
            let target = display.saturating_mul(2);
            let (width, _) = image::ImageReader::with_format(Cursor::new(bytes), image_format)
                .into_dimensions()
                .map_err(|e| refuse(format!("the {} image cannot be read: {e}", format.extension())))?;
            if width > target && matches!(format, AssetFormat::Png | AssetFormat::Jpg) && target > 0 {
                data = scale(bytes, format, target).map_err(refuse)?;
                scaled_from = Some(width);
            }
        }
        inspect(&data).map_err(refuse)?;
        // The same content under any name is the same asset.
        let suffix = format!("-{}.{}", content_hash(&data), format.extension());
        let name = self
            .files
            .list(ASSETS_DIR)
            .into_iter()
            .find(|n| n.ends_with(&suffix) && is_asset_name(n))
            .unwrap_or_else(|| hashed_name(original_name, &data, format));
        let dir = root.join(ASSETS_DIR);
        std::fs::create_dir_all(&dir).map_err(|source| WorkspaceError::Io {
            path: dir.clone(),
            source,
        })?;
        let path = dir.join(&name);
        let existed = path.is_file();
        if !existed {
            write_atomic(&path, &data)?;
        }
        let asset = self.asset_info(&name, &data, &self.asset_uses())?;
        Ok(AddedAsset {
            asset,
            existed,
            scaled_from,
        })
    }

    /// The library: every asset file with its format, weight, dimensions and the emails using it.
    /// Files that are not assets (bad names, other types) are left to [`Workspace::check_assets`].
    ///
    /// # Errors
    /// A file cannot be read.
    pub fn assets(&self) -> Result<Vec<AssetInfo>, WorkspaceError> {
        let uses = self.asset_uses();
        let mut out = Vec::new();
        for name in self.files.list(ASSETS_DIR) {
            if !is_asset_name(&name) {
                continue;
            }
            let bytes = self.files.read_bytes(&format!("{ASSETS_DIR}/{name}"))?;
            if let Ok(info) = self.asset_info(&name, &bytes, &uses) {
                out.push(info);
            }
        }
        Ok(out)
    }

    /// An asset's bytes and MIME type, for the designer's preview protocol: only names of the
    /// library, read from `assets/` (never another folder), and only files whose content is an
    /// asset format.
    ///
    /// # Errors
    /// Not an asset name, missing, or not an image or font by content.
    pub fn asset_bytes(&self, name: &str) -> Result<(Vec<u8>, &'static str), WorkspaceError> {
        if !is_asset_name(name) {
            return Err(WorkspaceError::AssetRefused {
                file: name.to_owned(),
                reason: "not an asset name".to_owned(),
            });
        }
        let bytes = self.files.read_bytes(&format!("{ASSETS_DIR}/{name}"))?;
        let format = AssetFormat::sniff(&bytes).ok_or_else(|| WorkspaceError::AssetRefused {
            file: name.to_owned(),
            reason: "not an image or font by its content".to_owned(),
        })?;
        Ok((bytes, format.mime()))
    }

    fn asset_info(
        &self,
        name: &str,
        bytes: &[u8],
        uses: &BTreeMap<String, Vec<String>>,
    ) -> Result<AssetInfo, WorkspaceError> {
        let (format, size) = inspect(bytes).map_err(|reason| WorkspaceError::AssetRefused {
            file: format!("{ASSETS_DIR}/{name}"),
            reason,
        })?;
        Ok(AssetInfo {
            name: name.to_owned(),
            path: tessera_core::assets::asset_path(name),
            format,
            mime: format.mime().to_owned(),
            bytes: bytes.len() as u64,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            used_by: uses.get(name).cloned().unwrap_or_default(),
        })
    }

    /// Asset name → what refers to it: emails, `tessera.toml` (brand settings, dictionary examples),
    /// workspace block types' defaults and sample data files (`data/...`). Files that cannot be
    /// read are skipped here; `check` reports the emails.
    fn asset_uses(&self) -> BTreeMap<String, Vec<String>> {
        let mut uses: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in referenced_by_settings(&self.config.brand) {
            uses.entry(name).or_default().push(crate::CONFIG_FILE.to_owned());
        }
        for block_type in self
            .library
            .iter()
            .filter(|b| b.origin == tessera_core::model::BlockOrigin::Workspace)
        {
            let defaults = block_type
                .schema
                .fields
                .iter()
                .chain(block_type.schema.fields.iter().flat_map(|f| f.item_fields.iter()))
                .filter_map(|f| f.default.as_str())
                .filter_map(tessera_core::assets::asset_name);
            for name in defaults {
                uses.entry(name.to_owned())
                    .or_default()
                    .push(format!("blocks/{}", block_type.id));
            }
        }
        for email in self.email_names() {
            if let Ok(entry) = self.email(&email) {
                for name in referenced_assets(&entry.document) {
                    uses.entry(name).or_default().push(email.clone());
                }
            }
        }
        // Recipient data may name assets too (the demo's product pictures): the dictionary's
        // examples and the sample files in `data/` (`.json`, and `.jsonl` line by line).
        let mut in_data = BTreeSet::new();
        for example in self.dictionary.iter().filter_map(|f| f.example.as_ref()) {
            assets_in_value(example, &mut in_data);
        }
        for name in std::mem::take(&mut in_data) {
            uses.entry(name).or_default().push(crate::CONFIG_FILE.to_owned());
        }
        for file in self.files.list("data") {
            let rel = format!("data/{file}");
            let Ok(text) = self.files.read(&rel) else { continue };
            let values: Vec<serde_json::Value> = if file.ends_with(".jsonl") {
                text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
            } else {
                serde_json::from_str(&text).ok().into_iter().collect()
            };
            for value in &values {
                assets_in_value(value, &mut in_data);
            }
            for name in std::mem::take(&mut in_data) {
                let users = uses.entry(name).or_default();
                if !users.contains(&rel) {
                    users.push(rel.clone());
                }
            }
        }
        uses
    }

    /// Checks every asset file (an asset name, content matching the extension and the hash,
    /// weight, dimensions) and every reference (each asset path an email or the brand settings
    /// use exists); unused and heavy assets are warnings.
    ///
    /// # Errors
    /// A file cannot be read.
    pub fn check_assets(&self) -> Result<Vec<AssetProblem>, WorkspaceError> {
        let mut problems = Vec::new();
        let mut present = BTreeSet::new();
        let uses = self.asset_uses();
        for name in self.files.list(ASSETS_DIR) {
            let file = format!("{ASSETS_DIR}/{name}");
            let mut error = |message: String| {
                problems.push(AssetProblem {
                    level: AssetLevel::Error,
                    file: file.clone(),
                    message,
                });
            };
            if !is_asset_name(&name) {
                error("not an asset name (lowercase letters, digits, - and _, and an image or font extension): add files through the asset library or `tessera assets add`".to_owned());
                continue;
            }
            let bytes = self.files.read_bytes(&file)?;
            match inspect(&bytes) {
                Err(reason) => error(reason),
                Ok((format, _)) => {
                    let ext = name.rsplit('.').next().unwrap_or_default();
                    if ext != format.extension() {
                        error(format!(
                            "the name says .{ext} but the content is {}",
                            format.extension().to_uppercase()
                        ));
                    }
                    let stem = name.rsplit_once('.').map_or("", |(s, _)| s);
                    let hash = content_hash(&bytes);
                    if let Some((_, written)) = stem.rsplit_once('-').filter(|(_, h)| h.len() == 12) {
                        if written != hash {
                            error(format!(
                                "the content changed since it was added (its hash is {hash}, the name says {written}): add the new file again"
                            ));
                        }
                    } else {
                        error(format!(
                            "the name has no content hash: add the file again (its hash is {hash})"
                        ));
                    }
                    if bytes.len() as u64 > HEAVY_ASSET_BYTES {
                        problems.push(AssetProblem {
                            level: AssetLevel::Warning,
                            file: file.clone(),
                            message: format!(
                                "{} KB is heavy for an email; scale it to twice its display width",
                                bytes.len() / 1024
                            ),
                        });
                    }
                    present.insert(name.clone());
                }
            }
            if !uses.contains_key(&name) {
                problems.push(AssetProblem {
                    level: AssetLevel::Warning,
                    file: file.clone(),
                    message: "no email uses it (`tessera assets prune` removes unused assets)".to_owned(),
                });
            }
        }
        for (name, users) in &uses {
            if !present.contains(name) && !self.files.exists(&format!("{ASSETS_DIR}/{name}")) {
                for user in users {
                    problems.push(AssetProblem {
                        level: AssetLevel::Error,
                        file: if user == crate::CONFIG_FILE {
                            user.clone()
                        } else if let Some(block) = user.strip_prefix("blocks/") {
                            format!("blocks/{block}/block.json")
                        } else {
                            format!("emails/{user}{}", crate::EMAIL_SUFFIX)
                        },
                        message: format!("uses {ASSETS_DIR}/{name}, which is not in the assets folder"),
                    });
                }
            }
        }
        Ok(problems)
    }

    /// Removes one asset, which nothing may use.
    ///
    /// # Errors
    /// The built-in demo is read-only; not an asset of the library; still used (the error names
    /// the users); a file cannot be removed.
    pub fn remove_asset(&self, name: &str) -> Result<(), WorkspaceError> {
        let root = self.writable_root()?;
        let refuse = |reason: String| WorkspaceError::AssetRefused {
            file: format!("{ASSETS_DIR}/{name}"),
            reason,
        };
        if !is_asset_name(name) || !self.files.exists(&format!("{ASSETS_DIR}/{name}")) {
            return Err(refuse("not in the asset library".to_owned()));
        }
        if let Some(users) = self.asset_uses().get(name) {
            return Err(refuse(format!("still used by {}", users.join(", "))));
        }
        let path = root.join(ASSETS_DIR).join(name);
        std::fs::remove_file(&path).map_err(|source| WorkspaceError::Io { path, source })
    }

    /// Removes the assets no email and no brand setting uses; returns their names. With
    /// `dry_run`, removes nothing and returns what would go.
    ///
    /// # Errors
    /// The built-in demo is read-only; a file cannot be removed.
    pub fn prune_assets(&self, dry_run: bool) -> Result<Vec<String>, WorkspaceError> {
        let root = self.writable_root()?;
        let uses = self.asset_uses();
        let unused: Vec<String> = self
            .files
            .list(ASSETS_DIR)
            .into_iter()
            .filter(|name| is_asset_name(name) && !uses.contains_key(name))
            .collect();
        if !dry_run {
            for name in &unused {
                let path: PathBuf = root.join(ASSETS_DIR).join(name);
                std::fs::remove_file(&path).map_err(|source| WorkspaceError::Io { path, source })?;
            }
        }
        Ok(unused)
    }
}

/// Collects the asset names the strings anywhere in `value` name (`assets/<name>`).
fn assets_in_value(value: &serde_json::Value, into: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(s) => {
            if let Some(name) = tessera_core::assets::asset_name(s) {
                into.insert(name.to_owned());
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| assets_in_value(v, into)),
        serde_json::Value::Object(map) => map.values().for_each(|v| assets_in_value(v, into)),
        _ => {}
    }
}

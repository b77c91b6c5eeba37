//! The visual comparison of an import (`tessera import-email FILE --visual`, the app's "Compare
//! visually"): the original email and Tessera's render of the imported one, both drawn by headless
//! Chromium (Debian's `chromium`) at 600 and 375 px wide, compared pixel by pixel. The difference is
//! the share of pixels that differ by more than [`PIXEL_TOLERANCE`] in a channel, over the larger of
//! the two draws (the smaller one padded with white), so a shorter or narrower draw counts too: the
//! measure `tests/import/compare.py` computes independently with Pillow.
//!
//! Both drawings are made with the network turned off (a tracking pixel in the original is never
//! fetched) and relative image URLs resolved against the original's folder, in a temporary browser
//! profile that is removed afterwards.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use tessera_core::escape::{html_escape, push_url_component};

use crate::import_email::ImportEmailOptions;
use crate::{EmailEntry, Workspace, WorkspaceError};

/// The widths both emails are drawn at: a desktop client's and a phone's.
pub const VISUAL_WIDTHS: [u32; 2] = [600, 375];
/// The environment variable naming the browser, when it is not Debian's `/usr/bin/chromium`.
pub const CHROMIUM_VAR: &str = "TESSERA_CHROMIUM";
/// Where Debian's `chromium` package puts the browser.
pub const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
/// A channel differing by more than this (of 255) makes a pixel different (anti-aliasing is not).
pub const PIXEL_TOLERANCE: u8 = 48;
/// The height of the window both emails are drawn in.
const DRAW_HEIGHT: u32 = 1600;
/// A draw that takes longer is stopped and the comparison fails (a stuck page never hangs it).
const DRAW_TIMEOUT: Duration = Duration::from_secs(90);

/// The difference at one width.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VisualDifference {
    /// The window's width in CSS pixels.
    pub width: u32,
    /// The share of pixels (0 to 1) that differ between the original and the import.
    pub difference: f64,
}

/// The browser to draw with: `$TESSERA_CHROMIUM`, else Debian's `/usr/bin/chromium`.
///
/// # Errors
/// [`WorkspaceError::NoBrowser`] when it is not there, saying how to install it.
pub fn chromium() -> Result<PathBuf, WorkspaceError> {
    let path = std::env::var_os(CHROMIUM_VAR)
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_CHROMIUM), PathBuf::from);
    if path.is_file() {
        Ok(path)
    } else {
        Err(WorkspaceError::NoBrowser { path })
    }
}

/// The share of pixels that differ by more than [`PIXEL_TOLERANCE`] in any channel, over the
/// larger of the two sizes, the smaller image padded with white.
#[must_use]
pub fn pixel_difference(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    const WHITE: image::Rgb<u8> = image::Rgb([255, 255, 255]);
    let (w, h) = (a.width().max(b.width()), a.height().max(b.height()));
    if w == 0 || h == 0 {
        return 0.0;
    }
    let mut different: u64 = 0;
    for y in 0..h {
        for x in 0..w {
            let pa = a.get_pixel_checked(x, y).unwrap_or(&WHITE);
            let pb = b.get_pixel_checked(x, y).unwrap_or(&WHITE);
            if pa
                .0
                .iter()
                .zip(pb.0.iter())
                .any(|(p, q)| p.abs_diff(*q) > PIXEL_TOLERANCE)
            {
                different += 1;
            }
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "pixel counts are far below 2^52")]
    let share = different as f64 / (f64::from(w) * f64::from(h));
    share
}

impl Workspace {
    /// Draws the original email and Tessera's render of `document` (its import) with Chromium at
    /// every width of [`VISUAL_WIDTHS`] and gives the difference at each. The import is rendered
    /// for the first sample recipient (`data/*.json`), so merge tags print as they would in a send.
    ///
    /// # Errors
    /// [`WorkspaceError::NoBrowser`] without Chromium; the original cannot be read or rendered;
    /// the import does not compile; [`WorkspaceError::VisualCompare`] when a draw fails.
    pub fn compare_import_visually(
        &mut self,
        options: &ImportEmailOptions,
        document: &tessera_core::model::Document,
    ) -> Result<Vec<VisualDifference>, WorkspaceError> {
        let browser = chromium()?;
        let source = std::fs::read(&options.file).map_err(|source| WorkspaceError::Io {
            path: options.file.clone(),
            source,
        })?;
        let source = String::from_utf8_lossy(&source);
        let original = tessera_import::original_html(&options.file.display().to_string(), &source)?;
        let data = self
            .samples()?
            .into_iter()
            .next()
            .map_or_else(|| serde_json::Value::Object(serde_json::Map::new()), |(_, v)| v);
        let entry = EmailEntry {
            name: "imported".to_owned(),
            path: options.file.clone(),
            document: document.clone(),
        };
        let imported = self.render(&entry, &data)?.html;
        let folder = options.file.parent().map(Path::to_path_buf).unwrap_or_default();
        let folder = std::fs::canonicalize(&folder).unwrap_or(folder);
        let work = tempfile::tempdir().map_err(|e| visual_error(format!("no temporary folder: {e}")))?;
        let original_file = work.path().join("original.html");
        let imported_file = work.path().join("imported.html");
        for (path, html) in [(&original_file, &original), (&imported_file, &imported)] {
            crate::write_atomic(path, with_base(html, &folder).as_bytes())?;
        }
        let mut out = Vec::with_capacity(VISUAL_WIDTHS.len());
        for width in VISUAL_WIDTHS {
            let shot_a = work.path().join(format!("original-{width}.png"));
            let shot_b = work.path().join(format!("imported-{width}.png"));
            // Both drawn at once; each in its own browser profile.
            let first = draw(
                &browser,
                &original_file,
                width,
                &shot_a,
                &work.path().join(format!("a-{width}")),
            )?;
            let second = match draw(
                &browser,
                &imported_file,
                width,
                &shot_b,
                &work.path().join(format!("b-{width}")),
            ) {
                Ok(child) => child,
                Err(e) => {
                    // The first draw is left to finish; its error, if any, is not the one to report.
                    let _ = finish(first, &shot_a);
                    return Err(e);
                }
            };
            let drawn = finish(first, &shot_a);
            finish(second, &shot_b)?;
            drawn?;
            let a = read_png(&shot_a)?;
            let b = read_png(&shot_b)?;
            out.push(VisualDifference {
                width,
                difference: pixel_difference(&a, &b),
            });
        }
        Ok(out)
    }
}

fn visual_error(reason: String) -> WorkspaceError {
    WorkspaceError::VisualCompare { reason }
}

/// `html` with a `<base>` so relative image URLs resolve against the original's folder.
fn with_base(html: &str, folder: &Path) -> String {
    let mut url = String::from("file://");
    for part in folder.components().skip(1) {
        url.push('/');
        push_url_component(&mut url, &part.as_os_str().to_string_lossy());
    }
    url.push('/');
    let base = format!("<base href=\"{}\">", html_escape(&url));
    let lower = html.to_ascii_lowercase();
    let at = lower
        .find("<head")
        .and_then(|h| lower[h..].find('>').map(|e| h + e + 1))
        .unwrap_or(0);
    format!("{}{base}{}", &html[..at], &html[at..])
}

/// Starts headless Chromium drawing `html` at `width` into `png`.
fn draw(browser: &Path, html: &Path, width: u32, png: &Path, profile: &Path) -> Result<Child, WorkspaceError> {
    Command::new(browser)
        .args([
            "--headless",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--disable-extensions",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--force-device-scale-factor=1",
            "--default-background-color=ffffffff",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},{DRAW_HEIGHT}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| visual_error(format!("{} could not start: {e}", browser.display())))
}

/// Waits for a draw (stopping it past [`DRAW_TIMEOUT`]) and checks it wrote its screenshot.
fn finish(mut child: Child, png: &Path) -> Result<(), WorkspaceError> {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > DRAW_TIMEOUT => {
                // Best effort: the process is stopped and reaped; the error says why.
                let _ = child.kill();
                let _ = child.wait();
                return Err(visual_error(format!(
                    "Chromium did not finish drawing in {} s",
                    DRAW_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(visual_error(format!("waiting for Chromium: {e}"))),
        }
    }
    if png.is_file() {
        return Ok(());
    }
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
    }
    let last = stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("no message");
    Err(visual_error(format!("Chromium drew nothing ({last})")))
}

fn read_png(path: &Path) -> Result<image::RgbImage, WorkspaceError> {
    image::open(path)
        .map(|i| i.to_rgb8())
        .map_err(|e| visual_error(format!("{}: not a readable screenshot: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difference_counts_pixels_past_the_tolerance_over_the_larger_size() {
        let white = image::RgbImage::from_pixel(4, 2, image::Rgb([255, 255, 255]));
        let mut b = white.clone();
        b.put_pixel(0, 0, image::Rgb([0, 0, 0]));
        b.put_pixel(1, 0, image::Rgb([255, 255, 255 - PIXEL_TOLERANCE]));
        assert!((pixel_difference(&white, &b) - 1.0 / 8.0).abs() < 1e-9);
        let taller = image::RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 0]));
        // The shorter one is padded with white: its 8 pixels differ, the 8 padded ones too.
        assert!((pixel_difference(&white, &taller) - 1.0).abs() < 1e-9);
        assert!(pixel_difference(&white, &white).abs() < 1e-9);
    }

    #[test]
    fn the_base_goes_inside_the_head_and_encodes_the_folder() {
        let html = with_base("<html><HEAD><title>x</title></head></html>", Path::new("/tmp/a b"));
        assert_eq!(
            html,
            "<html><HEAD><base href=\"file:///tmp/a%20b/\"><title>x</title></head></html>"
        );
        assert!(with_base("<p>x</p>", Path::new("/e")).starts_with("<base href=\"file:///e/\"><p>"));
    }
}

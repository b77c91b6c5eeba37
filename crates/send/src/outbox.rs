//! The local outbox: test sends written as `.eml` files when no SMTP server is configured.
//! Listing reads each file's headers (unfolded, RFC 2047 words decoded).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::Engine as _;

use crate::error::SendError;

/// One message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The file name without `.eml`.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// When it was written.
    pub written: SystemTime,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// The decoded `Subject`.
    pub subject: String,
    /// The `To` header.
    pub to: String,
    /// The `Date` header.
    pub date: String,
}

/// The messages of the outbox in `dir`, newest first (an absent folder is an empty outbox).
///
/// # Errors
/// The folder or a message cannot be read.
pub fn list(dir: &Path) -> Result<Vec<OutboxEntry>, SendError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SendError::Io { path, source }
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let Some(id) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".eml"))
            .map(str::to_owned)
        else {
            continue;
        };
        let meta = entry.metadata().map_err(io(&path))?;
        let bytes = read_head(&path).map_err(io(&path))?;
        let headers = read_headers(&bytes);
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        out.push(OutboxEntry {
            id,
            written: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            size_bytes: meta.len(),
            subject: get("Subject"),
            to: get("To"),
            date: get("Date"),
            path,
        });
    }
    out.sort_by(|a, b| b.written.cmp(&a.written).then_with(|| b.id.cmp(&a.id)));
    Ok(out)
}

/// Listing reads at most this much of each message: the headers are at the top, and a message
/// can be many megabytes of images.
const HEAD_BYTES: u64 = 64 * 1024;

/// The first [`HEAD_BYTES`] of a file.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut head = Vec::new();
    std::fs::File::open(path)?.take(HEAD_BYTES).read_to_end(&mut head)?;
    Ok(head)
}

/// Finds a message by id, by a unique start of its id, or `latest`.
///
/// # Errors
/// None or several match, or the outbox cannot be read.
pub fn find(dir: &Path, id: &str) -> Result<OutboxEntry, SendError> {
    let all = list(dir)?;
    if id == "latest" {
        return all
            .into_iter()
            .next()
            .ok_or_else(|| SendError::NotInOutbox(id.to_owned()));
    }
    let mut matches = all.into_iter().filter(|e| e.id.starts_with(id) && !id.is_empty());
    match (matches.next(), matches.next()) {
        (Some(one), None) => Ok(one),
        (Some(_), Some(_)) => Err(SendError::NotInOutbox(format!(
            "{id}\" is the start of several ids; give more of it, \"{id}"
        ))),
        _ => Err(SendError::NotInOutbox(crate::error::show(id))),
    }
}

/// The header fields of a message: unfolded, encoded words decoded, in order.
#[must_use]
pub fn read_headers(message: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(message);
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_owned(), value.to_owned()));
        }
    }
    fields
        .into_iter()
        .map(|(name, value)| (name, decode_words(value.trim())))
        .collect()
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`); whitespace between two
/// encoded words is dropped, as the RFC says.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending_space = String::new();
    let mut last_was_word = false;
    for token in value.split_inclusive([' ', '\t']) {
        let word = token.trim_end_matches([' ', '\t']);
        let trailing = token.get(word.len()..).unwrap_or_default();
        match decode_word(word) {
            Some(decoded) => {
                if !last_was_word {
                    out.push_str(&pending_space);
                }
                out.push_str(&decoded);
                last_was_word = true;
            }
            None => {
                out.push_str(&pending_space);
                out.push_str(word);
                last_was_word = false;
            }
        }
        pending_space = trailing.to_owned();
    }
    out
}

fn decode_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let charset = parts.next()?.to_ascii_lowercase();
    let encoding = parts.next()?.to_ascii_lowercase();
    let data = parts.next()?;
    if !matches!(charset.as_str(), "utf-8" | "us-ascii") {
        return None;
    }
    let bytes = match encoding.as_str() {
        "b" => base64::engine::general_purpose::STANDARD.decode(data).ok()?,
        "q" => {
            let mut out = Vec::new();
            let raw = data.as_bytes();
            let mut i = 0;
            while let Some(&b) = raw.get(i) {
                match b {
                    b'_' => out.push(b' '),
                    b'=' => {
                        let hex = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
                        out.push(u8::from_str_radix(hex, 16).ok()?);
                        i += 2;
                    }
                    other => out.push(other),
                }
                i += 1;
            }
            out
        }
        _ => return None,
    };
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_reads_only_the_head_of_each_message() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("big.eml");
        std::fs::write(&path, "Subject: Big\r\nTo: a@example.com\r\n\r\nbody").expect("write");
        // 4 GB (sparse): reading it whole would take seconds and gigabytes.
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_len(4 * 1024 * 1024 * 1024))
            .expect("grow");
        let started = std::time::Instant::now();
        let listed = list(dir.path()).expect("list");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].subject, "Big");
        assert_eq!(listed[0].size_bytes, 4 * 1024 * 1024 * 1024);
    }

    #[test]
    fn headers_are_unfolded_and_decoded() {
        let msg = b"Subject: =?utf-8?b?W1RFU1RdIEdyw7zDn2U=?=\r\n =?utf-8?q?_und_mehr?= tail\r\nTo: a@b.example\r\n\r\nbody: x\r\n";
        let h = read_headers(msg);
        assert_eq!(
            h[0],
            ("Subject".to_owned(), "[TEST] Gr\u{fc}\u{df}e und mehr tail".to_owned())
        );
        assert_eq!(h[1], ("To".to_owned(), "a@b.example".to_owned()));
        assert_eq!(h.len(), 2);
    }
}

//! Reading an import file: encoding detection (UTF-8 with or without BOM, UTF-16 with BOM,
//! Windows-1252 when the bytes are not UTF-8), binary and empty files refused, and a streaming
//! UTF-8 reader for the record parsers.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::StoreError;

/// How much of the file decides its encoding.
const SNIFF: usize = 64 * 1024;

/// An opened import file, decoded to UTF-8 as it is read.
pub struct Source {
    /// The decoded bytes.
    pub reader: Box<dyn Read + Send>,
    /// The encoding, as the report states it.
    pub encoding: String,
    /// Size in bytes, for progress.
    pub size: u64,
    /// The content hash of the raw bytes, computed as the parsers read them.
    pub hash: FileHash,
}

/// A BLAKE3 hash of a file's raw bytes, fed by the reader the parsers consume, so the file is read
/// once for both.
#[derive(Clone)]
pub struct FileHash {
    state: Arc<Mutex<(blake3::Hasher, u64)>>,
    path: PathBuf,
}

impl FileHash {
    /// The hash of the whole file as hex. Bytes the parsers did not reach (there should be none)
    /// are read and hashed here.
    ///
    /// # Errors
    /// The rest of the file cannot be read.
    pub fn finish(&self) -> Result<String, StoreError> {
        let io = |source| StoreError::Io {
            path: self.path.clone(),
            source,
        };
        let mut guard = self
            .state
            .lock()
            .map_err(|_| io(std::io::Error::other("hash state poisoned")))?;
        let (hasher, read) = &mut *guard;
        let mut rest = File::open(&self.path).map_err(io)?;
        rest.seek(SeekFrom::Start(*read)).map_err(io)?;
        std::io::copy(&mut rest, hasher).map_err(io)?;
        Ok(hasher.finalize().to_hex().to_string())
    }
}

struct HashingReader {
    inner: File,
    hash: FileHash,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut state) = self.hash.state.lock() {
            state.0.update(&buf[..n]);
            state.1 += n as u64;
        }
        Ok(n)
    }
}

/// Opens `path`, detects its encoding and refuses empty and binary files.
///
/// # Errors
/// Unreadable, empty or binary file.
pub fn open(path: &Path) -> Result<Source, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let refuse = |reason: &str| StoreError::Refused {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    let mut file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if path.is_dir() {
        return Err(refuse("this is a folder, not a file"));
    }
    let mut head = Vec::with_capacity(SNIFF);
    (&mut file).take(SNIFF as u64).read_to_end(&mut head).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    if head.is_empty() {
        return Err(refuse("the file is empty"));
    }
    let (encoding, label): (&'static Encoding, &str) = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (UTF_8, "UTF-8 (BOM)")
    } else if head.starts_with(&[0xFF, 0xFE]) {
        (UTF_16LE, "UTF-16LE (BOM)")
    } else if head.starts_with(&[0xFE, 0xFF]) {
        (UTF_16BE, "UTF-16BE (BOM)")
    } else {
        if is_binary(&head) {
            return Err(refuse("this is a binary file, not CSV, JSON or JSONL"));
        }
        match std::str::from_utf8(&head) {
            Ok(_) => (UTF_8, "UTF-8"),
            // A multi-byte character cut at the end of the sample is still UTF-8.
            Err(e) if e.error_len().is_none() => (UTF_8, "UTF-8"),
            Err(_) => (WINDOWS_1252, "windows-1252"),
        }
    };
    let hash = FileHash {
        state: Arc::new(Mutex::new((blake3::Hasher::new(), 0))),
        path: path.to_path_buf(),
    };
    let raw = HashingReader {
        inner: file,
        hash: hash.clone(),
    };
    let reader = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .strip_bom(true)
        .build(BufReader::with_capacity(1 << 20, raw));
    Ok(Source {
        reader: Box::new(reader),
        encoding: label.to_owned(),
        size,
        hash,
    })
}

/// Binary when it starts like a known binary format or more than a tenth of the sample is control
/// bytes (a stray NUL in a text field does not make a file binary).
fn is_binary(head: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG",
        b"PK\x03\x04",
        b"%PDF",
        b"GIF8",
        b"\xFF\xD8\xFF",
        b"SQLite format",
        b"\x1F\x8B",
    ];
    if MAGIC.iter().any(|m| head.starts_with(m)) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    control * 10 > head.len()
}

//! Finds the images of a rendered HTML part and rewrites local ones to `cid:` references.
//!
//! The HTML comes from Tessera's own renderer (well-formed tags, quoted attributes), so a small
//! scanner over tags is enough: comments are skipped, `src` values are located by byte range,
//! entity-decoded, and replaced. Remote images (`https:`, `//host`) and other schemes stay as they are.

use std::collections::BTreeMap;

/// Where a local image's bytes come from (the workspace folder).
pub trait ImageSource {
    /// Loads a local image by its `src` as written (already entity-decoded), e.g.
    /// `images/logo.png`.
    ///
    /// # Errors
    /// A readable reason: missing, outside the workspace, unsupported type, too large.
    fn load(&self, src: &str) -> Result<LocalImage, String>;
}

/// A local image to embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalImage {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type, e.g. `image/png`.
    pub content_type: String,
    /// A file name for the part.
    pub file_name: String,
}

/// An image embedded as an inline part.
#[derive(Debug, Clone)]
pub(crate) struct Embedded {
    pub cid: String,
    pub image: LocalImage,
}

/// The HTML with local images pointing at their parts.
#[derive(Debug)]
pub(crate) struct Rewritten {
    pub html: String,
    pub embedded: Vec<Embedded>,
    pub remote: usize,
}

/// Rewrites every local `<img src>` of `html` to `cid:`; the same file is embedded once.
pub(crate) fn embed_local_images(
    html: &str,
    source: &dyn ImageSource,
    id_salt: &str,
) -> Result<Rewritten, crate::SendError> {
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    let mut by_src: BTreeMap<String, String> = BTreeMap::new();
    let mut embedded = Vec::new();
    let mut remote = 0;
    for (start, end) in img_src_ranges(html) {
        let raw = html.get(start..end).unwrap_or_default();
        let src = tessera_core::escape::decode_references(raw);
        if !is_local(&src) {
            if !src.trim().to_ascii_lowercase().starts_with("cid:") && !src.trim().is_empty() {
                remote += 1;
            }
            continue;
        }
        let cid = if let Some(cid) = by_src.get(&src) {
            cid.clone()
        } else {
            let image = source.load(&src).map_err(|reason| crate::SendError::Image {
                src: crate::error::show(&src),
                reason,
            })?;
            let hash = blake3::hash(format!("{id_salt}\n{src}").as_bytes()).to_hex();
            let cid = format!(
                "img{}.{}@tessera",
                embedded.len() + 1,
                hash.get(..16).unwrap_or_default()
            );
            by_src.insert(src.clone(), cid.clone());
            embedded.push(Embedded {
                cid: cid.clone(),
                image,
            });
            cid
        };
        out.push_str(html.get(last..start).unwrap_or_default());
        out.push_str("cid:");
        out.push_str(&cid);
        last = end;
    }
    out.push_str(html.get(last..).unwrap_or_default());
    Ok(Rewritten {
        html: out,
        embedded,
        remote,
    })
}

/// Whether `src` names a file relative to the workspace: no scheme, not protocol-relative.
fn is_local(src: &str) -> bool {
    let s = src.trim();
    if s.is_empty() || s.starts_with("//") || s.starts_with('#') {
        return false;
    }
    for c in s.chars() {
        match c {
            ':' => return false,
            '/' | '?' | '#' => return true,
            _ => {}
        }
    }
    true
}

/// Byte ranges of the `src` values of every `<img>` tag.
fn img_src_ranges(html: &str) -> Vec<(usize, usize)> {
    let bytes = html.as_bytes();
    let mut ranges = Vec::new();
    let mut i = 0;
    while let Some(offset) = bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'<')) {
        i += offset;
        if bytes.get(i..i + 4) == Some(b"<!--") {
            i = html
                .get(i + 4..)
                .and_then(|rest| rest.find("-->"))
                .map_or(bytes.len(), |p| i + 4 + p + 3);
            continue;
        }
        let is_img = bytes
            .get(i + 1..i + 4)
            .is_some_and(|name| name.eq_ignore_ascii_case(b"img"))
            && bytes
                .get(i + 4)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>');
        i += 1;
        if !is_img {
            continue;
        }
        i += 3;
        // Attributes until the closing `>`.
        loop {
            while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/') {
                i += 1;
            }
            match bytes.get(i) {
                None => return ranges,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(_) => {}
            }
            let name_start = i;
            while bytes
                .get(i)
                .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
            {
                i += 1;
            }
            let name = bytes.get(name_start..i).unwrap_or_default();
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let (value_start, value_end) = match bytes.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let start = i + 1;
                    let end = bytes
                        .get(start..)
                        .and_then(|rest| rest.iter().position(|&b| b == q))
                        .map_or(bytes.len(), |p| start + p);
                    i = end + 1;
                    (start, end)
                }
                _ => {
                    let start = i;
                    while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>') {
                        i += 1;
                    }
                    (start, i)
                }
            };
            if name.eq_ignore_ascii_case(b"src") {
                ranges.push((value_start, value_end));
            }
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files;
    impl ImageSource for Files {
        fn load(&self, src: &str) -> Result<LocalImage, String> {
            if src.contains("missing") {
                return Err("not found".to_owned());
            }
            Ok(LocalImage {
                bytes: src.as_bytes().to_vec(),
                content_type: "image/png".to_owned(),
                file_name: src.to_owned(),
            })
        }
    }

    #[test]
    fn local_images_become_cid_references_once_each() {
        let html = r#"<p>x</p><!-- <img src="images/in-comment.png"> --><IMG alt="a" SRC="images/a&amp;b.png"><img src='images/a&amp;b.png' /><img src="https://cdn.example/x.png"><img src=//cdn.example/y.png><a href="images/a.png">link</a>"#;
        let r = embed_local_images(html, &Files, "salt").expect("embeds");
        assert_eq!(r.embedded.len(), 1);
        assert_eq!(r.embedded[0].image.file_name, "images/a&b.png");
        assert_eq!(r.remote, 2);
        let cid = &r.embedded[0].cid;
        assert_eq!(r.html.matches(&format!("cid:{cid}")).count(), 2, "{}", r.html);
        assert!(r.html.contains(r#"<!-- <img src="images/in-comment.png"> -->"#));
        assert!(r.html.contains(r#"href="images/a.png""#));
        assert!(r.html.contains("https://cdn.example/x.png"));
    }

    #[test]
    fn a_missing_image_is_an_error_naming_it() {
        let e = embed_local_images(r#"<img src="img/missing.png">"#, &Files, "s").expect_err("fails");
        assert!(e.to_string().contains("img/missing.png"), "{e}");
    }

    #[test]
    fn only_scheme_less_paths_are_local() {
        for local in ["a.png", "images/a.png", "/abs.png", "./a.png", "a b.png"] {
            assert!(is_local(local), "{local}");
        }
        for remote in [
            "https://x/a.png",
            "http://x",
            "cid:abc",
            "data:image/png;base64,AA",
            "//x/a.png",
            "",
        ] {
            assert!(!is_local(remote), "{remote}");
        }
    }
}

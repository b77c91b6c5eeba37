//! The asset use cases on real workspace folders: adding files judged by content, scaling, names by
//! content hash, the library with where each asset is used, the check, removing unused assets,
//! exports that host assets under `[assets] base_url`, and the preview's protocol addresses.
//!
//! Input images are the demo's PNGs, written by `scripts/demo-images.py` with Python's zlib (not by
//! the `image` crate under test); dimensions of outputs are read from the PNG header by hand.

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use tessera_core::export::Target;
use tessera_workspace::assets::AssetLevel;
use tessera_workspace::editor::{EditorSession, PreviewAs, PreviewRequest};
use tessera_workspace::{ErrorKind, Workspace, WorkspaceError};

fn demo_asset(stem: &str) -> (String, Vec<u8>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/assets");
    let name = std::fs::read_dir(&dir)
        .expect("demo assets")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.rsplit_once('-').is_some_and(|(s, _)| s == stem))
        .expect("the demo image");
    let bytes = std::fs::read(dir.join(&name)).expect("read");
    (name, bytes)
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// The classic transparent 1×1 GIF, byte by byte.
const ONE_PIXEL_GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("ws");
    tessera_workspace::init(&root).expect("init");
    (dir, root)
}

fn sha12(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn added_files_are_judged_by_content_and_named_by_hash() {
    let (_dir, root) = workspace();
    let ws = Workspace::open(&root).expect("open");
    let (demo_name, bytes) = demo_asset("repair-studio");
    std::fs::remove_file(root.join("assets").join(demo_name)).expect("not in the library yet");
    // A PNG called .jpg is stored as what it is.
    let added = ws.add_asset("Studio Photo (final).JPG", &bytes, None).expect("added");
    let expected = format!("studio-photo-final-{}.png", sha12(&bytes));
    assert_eq!(added.asset.name, expected);
    assert_eq!(added.asset.path, format!("assets/{expected}"));
    assert_eq!((added.asset.width, added.asset.height), (Some(512), Some(384)));
    assert!(!added.existed);
    assert_eq!(
        std::fs::read(root.join("assets").join(&expected)).expect("written"),
        bytes
    );
    // The same content again is the same asset, whatever its name.
    let again = ws.add_asset("other.png", &bytes, None).expect("added again");
    assert!(again.existed);
    assert_eq!(again.asset.name, expected);
    assert_eq!(
        std::fs::read_dir(root.join("assets")).expect("dir").count(),
        25,
        "24 demo assets and one added"
    );
    // Not an image by content: refused, naming the file; nothing written.
    let before = std::fs::read_dir(root.join("assets")).expect("dir").count();
    for (name, content, reason) in [
        (
            "notes.png",
            b"just some text, not a picture".to_vec(),
            "judged by its content",
        ),
        ("cut.png", bytes[..40].to_vec(), "cannot be read"),
        (
            "page.gif",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            "judged by its content",
        ),
    ] {
        let err = ws.add_asset(name, &content, None).expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::ImportRefused, "{err}");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("{name}: ")) && text.contains(reason),
            "{text}"
        );
    }
    assert_eq!(std::fs::read_dir(root.join("assets")).expect("dir").count(), before);
}

#[test]
fn wide_images_are_scaled_to_twice_the_display_width() {
    let (_dir, root) = workspace();
    let ws = Workspace::open(&root).expect("open");
    let (demo_name, bytes) = demo_asset("hero-ridge");
    std::fs::remove_file(root.join("assets").join(demo_name)).expect("not in the library yet");
    assert_eq!(png_size(&bytes), (1200, 600));
    let added = ws.add_asset("hero.png", &bytes, Some(300)).expect("added");
    assert_eq!(added.scaled_from, Some(1200));
    let written = std::fs::read(root.join("assets").join(&added.asset.name)).expect("written");
    assert_eq!(png_size(&written), (600, 300));
    assert_eq!(added.asset.name, format!("hero-{}.png", sha12(&written)));
    assert!(written.len() < 64 * 1024, "{} bytes", written.len());
    // Narrow enough already: kept byte for byte.
    let kept = ws.add_asset("hero.png", &bytes, Some(600)).expect("added");
    assert_eq!(kept.scaled_from, None);
    assert_eq!(kept.asset.name, format!("hero-{}.png", sha12(&bytes)));
}

#[test]
fn the_library_says_where_each_asset_is_used_and_prune_keeps_those() {
    let (_dir, root) = workspace();
    let ws = Workspace::open(&root).expect("open");
    let assets = ws.assets().expect("list");
    assert_eq!(assets.len(), 25);
    let used = |stem: &str| {
        assets
            .iter()
            .find(|a| a.name.starts_with(&format!("{stem}-")))
            .map(|a| a.used_by.clone())
            .expect("listed")
    };
    assert_eq!(used("northwind-logo"), ["abandoned-cart", "seasonal-sale", "welcome"]);
    assert_eq!(
        used("northwind-logo-dark"),
        ["abandoned-cart", "seasonal-sale", "welcome"]
    );
    assert_eq!(used("maya-r"), ["blocks/testimonial"]);
    assert_eq!(used("hero-ridge"), ["welcome"]);

    let spare = ws.add_asset("Spacer.GIF", ONE_PIXEL_GIF, None).expect("added");
    assert_eq!(
        (spare.asset.width, spare.asset.height, spare.asset.mime.as_str()),
        (Some(1), Some(1), "image/gif")
    );
    let spare = spare.asset.name;
    assert_eq!(spare, format!("spacer-{}.gif", sha12(ONE_PIXEL_GIF)));
    let err = ws.remove_asset("northwind-logo-b237e12d65af.png").expect_err("in use");
    assert!(
        err.to_string()
            .contains("still used by abandoned-cart, seasonal-sale, welcome"),
        "{err}"
    );
    assert_eq!(ws.prune_assets(true).expect("dry run"), std::slice::from_ref(&spare));
    assert!(root.join("assets").join(&spare).is_file(), "a dry run removes nothing");
    assert_eq!(ws.prune_assets(false).expect("prune"), std::slice::from_ref(&spare));
    assert!(!root.join("assets").join(&spare).exists());
    let assets = ws.assets().expect("list");
    assert_eq!(assets.len(), 25);
    // The product pictures are used by the sample data and the dictionary's examples, so a prune
    // keeps them.
    let jacket = assets
        .iter()
        .find(|a| a.name.starts_with("product-jackets-insulated-"))
        .expect("a product picture");
    assert_eq!(
        jacket.used_by,
        [
            "tessera.toml",
            "data/ada.json",
            "data/ben.json",
            "data/dmitri-long.json",
            "data/recipients.jsonl"
        ],
        "{jacket:?}"
    );
    assert!(ws.check_assets().expect("check").is_empty());
}

#[test]
fn the_check_names_each_file_and_reason() {
    let (_dir, root) = workspace();
    let (logo, _) = demo_asset("northwind-logo");
    let (_, jpeg_named) = demo_asset("icon-youtube");
    // A file edited in place, a file with a non-asset name, a PNG called .jpg, an unused asset,
    // and an email using an asset that is not there.
    std::fs::write(root.join("assets").join(&logo), b"\x89PNG\r\n\x1a\nbroken").expect("tamper");
    std::fs::write(root.join("assets/Photo.PNG"), &jpeg_named).expect("bad name");
    std::fs::write(root.join("assets/icon-aaaaaaaaaaaa.jpg"), &jpeg_named).expect("wrong ext");
    let welcome = root.join("emails/welcome.email.json");
    let text = std::fs::read_to_string(&welcome).expect("read");
    let text = text.replace(
        "assets/hero-ridge-818432ed3c78.png",
        "assets/hero-ridge-000000000000.png",
    );
    std::fs::write(&welcome, text).expect("write");
    let ws = Workspace::open(&root).expect("open");
    let problems = ws.check_assets().expect("check");
    let find = |file: &str, level: AssetLevel, needle: &str| {
        assert!(
            problems
                .iter()
                .any(|p| p.file == file && p.level == level && p.message.contains(needle)),
            "{file}: {needle} in {problems:#?}"
        );
    };
    find(&format!("assets/{logo}"), AssetLevel::Error, "cannot be read");
    find("assets/Photo.PNG", AssetLevel::Error, "not an asset name");
    find(
        "assets/icon-aaaaaaaaaaaa.jpg",
        AssetLevel::Error,
        "the name says .jpg but the content is PNG",
    );
    find(
        "assets/icon-aaaaaaaaaaaa.jpg",
        AssetLevel::Error,
        "the content changed since it was added",
    );
    find(
        "assets/hero-ridge-818432ed3c78.png",
        AssetLevel::Warning,
        "no email uses it",
    );
    find(
        "emails/welcome.email.json",
        AssetLevel::Error,
        "uses assets/hero-ridge-000000000000.png, which is not in the assets folder",
    );
}

#[test]
fn exports_host_assets_under_the_base_url_and_list_them() {
    let (_dir, root) = workspace();
    let mut ws = Workspace::open(&root).expect("open");
    let entry = ws.email("welcome").expect("welcome");
    let export = ws.export(&entry, Target::Liquid, None).expect("export");
    assert!(!export.html.contains("\"assets/"), "every asset path is rewritten");
    assert!(export
        .html
        .contains("src=\"https://images.northwind.example/email/hero-ridge-818432ed3c78.png\""));
    let files: Vec<&str> = export.manifest.assets.iter().map(|a| a.file.as_str()).collect();
    assert_eq!(files[0], "assets/northwind-logo-b237e12d65af.png");
    assert!(files.contains(&"assets/maya-r-773fdd2c8c9a.png"), "{files:?}");
    for a in &export.manifest.assets {
        assert!(root.join(&a.file).is_file(), "{} exists", a.file);
        assert_eq!(
            a.url,
            format!(
                "https://images.northwind.example/email/{}",
                a.file.trim_start_matches("assets/")
            )
        );
    }
    let manifest = String::from_utf8(export.files().expect("files")[2].1.clone()).expect("utf-8");
    assert!(manifest.contains("\"assets\": ["), "{manifest}");

    // Without [assets] base_url the export says what to set, naming the assets.
    let config = std::fs::read_to_string(root.join("tessera.toml")).expect("read");
    let config = config.replace(
        "base_url = \"https://images.northwind.example/email/\"",
        "base_url = \"http://insecure.example/\"",
    );
    std::fs::write(root.join("tessera.toml"), config).expect("write");
    let mut ws = Workspace::open(&root).expect("open");
    let err = ws.export(&entry, Target::Html, None).expect_err("not hosted");
    assert_eq!(err.kind(), ErrorKind::CannotExport);
    let text = err.to_string();
    assert!(
        text.contains("assets/northwind-logo-b237e12d65af.png") && text.contains("set [assets] base_url"),
        "{text}"
    );
}

#[test]
fn the_preview_loads_assets_through_the_app_protocol_only() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut session = EditorSession::start(data.path()).expect("start");
    let email = session.load("welcome").expect("load");
    let preview = session
        .preview(
            &PreviewRequest {
                email: Some("welcome".to_owned()),
                document: email.document,
                profile: PreviewAs::Sample("ada".to_owned()),
            },
            0,
        )
        .expect("preview");
    let html = preview.html.expect("html");
    let scheme = tessera_workspace::editor::asset_preview_url("hero-ridge-818432ed3c78.png");
    assert!(html.contains(&format!("src=\"{scheme}\"")), "{scheme}");
    assert!(!html.contains("\"assets/"), "no relative asset path is left");
    let (bytes, mime) = session
        .workspace()
        .asset_bytes("hero-ridge-818432ed3c78.png")
        .expect("served");
    assert_eq!((png_size(&bytes), mime), ((1200, 600), "image/png"));
    for bad in [
        "../tessera.toml",
        "emails/welcome.email.json",
        ".hidden.png",
        "none-000000000000.png",
    ] {
        assert!(session.workspace().asset_bytes(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_built_in_demo_lists_its_assets_but_takes_none() {
    let ws = Workspace::demo().expect("demo");
    assert_eq!(ws.assets().expect("list").len(), 25);
    let (_, bytes) = demo_asset("maya-r");
    assert!(matches!(
        ws.add_asset("x.png", &bytes, None),
        Err(WorkspaceError::ReadOnly)
    ));
}

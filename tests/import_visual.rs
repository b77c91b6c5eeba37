//! Proof that an import keeps the design: the original email and Tessera's render of the imported
//! one, both drawn by Debian's headless Chromium at 600 and 375 px wide, compared pixel by pixel with
//! Pillow (`tests/import/compare.py`, Debian's python3-pil). Each corpus email holds a threshold in
//! the reviewed file `tests/import/visual-thresholds.toml`; the test prints every difference.
//! MJML originals are drawn from mrml's HTML. Needs `scripts/import-setup.sh` (fails without it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_exit, repo, Dir};

/// Debian's Chromium (the test fails when it is missing: run scripts/import-setup.sh).
const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's Python, which has python3-pil (another python3 first on PATH may not).
const PYTHON: &str = "/usr/bin/python3";

fn screenshot(html: &Path, width: u32, png: &Path) {
    // No network
    // (every image is local), and a time limit so a stuck draw fails instead of hanging.
    let out = Command::new("timeout")
        .arg("90")
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--disable-extensions",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--default-background-color=ffffffff",
            &format!("--window-size={width},1600"),
            &format!("--screenshot={}", png.display()),
        ])
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap_or_else(|e| panic!("{CHROMIUM} could not start ({e}): run scripts/import-setup.sh"));
    assert!(
        png.exists(),
        "chromium drew nothing for {}: {}",
        html.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn difference(a: &Path, b: &Path) -> f64 {
    let out = Command::new(PYTHON)
        .arg(repo().join("tests/import/compare.py"))
        .args([a, b])
        .output()
        .unwrap_or_else(|e| panic!("{PYTHON} could not start ({e}): run scripts/import-setup.sh"));
    assert!(
        out.status.success(),
        "compare.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("compare.py prints a number")
}

/// `html` without its `<script>` elements: a hostile original's `alert()` would stop the headless
/// draw forever (and Chromium cannot screenshot with scripts turned off). Scripts draw nothing.
fn without_scripts(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</script>")
            .map_or("", |end| &rest[start + end + "</script>".len()..]);
    }
    out.push_str(rest);
    out
}

/// The original as a browser draws it: the HTML file (scripts left out), or mrml's rendering of the
/// MJML.
fn original_html(source: &Path) -> String {
    let text = std::fs::read_to_string(source).expect("corpus file");
    if source.extension().is_some_and(|e| e == "mjml") {
        let parsed = mrml::parse(&text).expect("the corpus MJML parses");
        parsed
            .element
            .render(&mrml::prelude::render::RenderOptions::default())
            .expect("mrml renders it")
    } else {
        without_scripts(&text)
    }
}

#[test]
fn imported_emails_look_like_their_originals_in_chromium() {
    let thresholds: toml::Table = toml::from_str(
        &std::fs::read_to_string(repo().join("tests/import/visual-thresholds.toml")).expect("thresholds"),
    )
    .expect("the thresholds file is TOML");
    assert!(thresholds.len() >= 15, "thresholds for the corpus emails");
    let ws = Dir::workspace();
    // Relative image URLs resolve to the same files for both draws.
    let shots = Dir::new();
    let images = repo().join("tests/import/corpus/images");
    for dir in [shots.join("images"), ws.join("images")] {
        std::fs::create_dir_all(&dir).expect("images folder");
        for f in std::fs::read_dir(&images).expect("corpus images") {
            let f = f.expect("entry").path();
            std::fs::copy(&f, dir.join(f.file_name().expect("name"))).expect("copy image");
        }
    }
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (file, limits) in &thresholds {
        let source: PathBuf = repo().join("tests/import/corpus").join(file);
        let stem = file.replace('.', "-");
        let original = shots.join(&format!("{stem}-original.html"));
        std::fs::write(&original, original_html(&source)).expect("write original");
        let out = ws.run(&["import-email", source.to_str().expect("path"), "--name", &stem]);
        assert_exit(&out, 0);
        let imported = shots.join(&format!("{stem}-imported.html"));
        let out = ws.run(&[
            "render",
            &stem,
            "--data",
            &ws.arg("data/ada.json"),
            "--out",
            imported.to_str().expect("path"),
        ]);
        assert_exit(&out, 0);
        for width in [600u32, 375] {
            let key = format!("w{width}");
            let limit = limits
                .get(&key)
                .and_then(toml::Value::as_float)
                .unwrap_or_else(|| panic!("{file}: no {key}"));
            let a = shots.join(&format!("{stem}-{width}-original.png"));
            let b = shots.join(&format!("{stem}-{width}-imported.png"));
            screenshot(&original, width, &a);
            screenshot(&imported, width, &b);
            let d = difference(&a, &b);
            report.push(format!(
                "{file:<40} {width:>4} px  difference {d:.4}  threshold {limit:.2}"
            ));
            if d > limit {
                failures.push(format!("{file} at {width} px: {d:.4} > {limit:.2}"));
            }
        }
    }
    println!(
        "Visual difference, original vs imported (share of pixels):\n{}",
        report.join("\n")
    );
    eprintln!("{}", report.join("\n"));
    assert!(failures.is_empty(), "over the threshold:\n{}", failures.join("\n"));
}

/// `import-email --visual` as a user runs it: the report carries the difference at 600 and 375 px,
/// and it is the difference Pillow measures on our own draws of the same two emails.
#[test]
fn import_email_visual_gives_the_difference_pillow_measures() {
    let thresholds: toml::Table = toml::from_str(
        &std::fs::read_to_string(repo().join("tests/import/visual-thresholds.toml")).expect("thresholds"),
    )
    .expect("the thresholds file is TOML");
    let ws = Dir::workspace();
    let shots = Dir::new();
    let images = repo().join("tests/import/corpus/images");
    std::fs::create_dir_all(shots.join("images")).expect("images folder");
    for f in std::fs::read_dir(&images).expect("corpus images") {
        let f = f.expect("entry").path();
        std::fs::copy(&f, shots.join("images").join(f.file_name().expect("name"))).expect("copy image");
    }
    for file in ["mjml-columns-hero.mjml", "newsletter-two-column.html"] {
        let source = repo().join("tests/import/corpus").join(file);
        let stem = file.replace('.', "-");
        let out = ws.run(&[
            "import-email",
            source.to_str().expect("path"),
            "--name",
            &stem,
            "--visual",
            "--json",
        ]);
        assert_exit(&out, 0);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
        let visual = report["visual"].as_array().expect("a visual list");
        assert_eq!(visual.len(), 2, "{file}: two widths in {report}");
        // Our own draws of the same two emails, measured by Pillow.
        let original = shots.join(&format!("{stem}-original.html"));
        std::fs::write(&original, original_html(&source)).expect("write original");
        let imported = shots.join(&format!("{stem}-imported.html"));
        let out = ws.run(&[
            "render",
            &stem,
            "--data",
            &ws.arg("data/ada.json"),
            "--out",
            imported.to_str().expect("path"),
        ]);
        assert_exit(&out, 0);
        for (entry, width) in visual.iter().zip([600u64, 375]) {
            assert_eq!(entry["width"].as_u64(), Some(width), "{file}: {entry}");
            let reported = entry["difference"].as_f64().expect("a difference");
            assert!((0.0..=1.0).contains(&reported), "{file}: {reported}");
            let a = shots.join(&format!("{stem}-{width}-original.png"));
            let b = shots.join(&format!("{stem}-{width}-imported.png"));
            screenshot(&original, u32::try_from(width).expect("width"), &a);
            screenshot(&imported, u32::try_from(width).expect("width"), &b);
            let measured = difference(&a, &b);
            println!("{file} {width} px: tessera {reported:.4}, pillow {measured:.4}");
            assert!(
                (reported - measured).abs() <= 0.005,
                "{file} at {width} px: import-email --visual says {reported:.4}, Pillow measures {measured:.4}"
            );
            let limit = thresholds[file][&format!("w{width}")].as_float().expect("threshold");
            assert!(reported <= limit, "{file} at {width} px: {reported:.4} > {limit}");
        }
    }
    // The summary a person reads names both widths.
    let source = repo().join("tests/import/corpus/mjml-minimal.mjml");
    let out = ws.run(&[
        "import-email",
        source.to_str().expect("path"),
        "--name",
        "minimal",
        "--visual",
    ]);
    assert_exit(&out, 0);
    common::assert_mentions(
        &common::stdout(&out),
        &[
            "Visual difference, original vs import",
            " 600 px wide: ",
            " 375 px wide: ",
        ],
    );
}

/// Without Chromium, `--visual` fails with a message saying how to install it, and writes nothing.
#[test]
fn import_email_visual_without_chromium_says_how_to_install_it() {
    let ws = Dir::workspace();
    let source = repo().join("tests/import/corpus/mjml-minimal.mjml");
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args([
            "import-email",
            source.to_str().expect("path"),
            "--name",
            "minimal",
            "--visual",
        ])
        .current_dir(ws.path())
        .env("TESSERA_CHROMIUM", ws.join("no-such-chromium"))
        .output()
        .expect("tessera runs");
    assert_exit(&out, 1);
    common::assert_mentions(
        &common::all(&out),
        &[
            "no-such-chromium",
            "Chromium is not installed",
            "apt-get install chromium",
            "TESSERA_CHROMIUM",
        ],
    );
    assert!(
        !ws.join("emails/minimal.email.json").exists(),
        "nothing is written when the comparison cannot run"
    );
}

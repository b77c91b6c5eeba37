//! Embeds the built-in blocks and the demo workspace into the binary, so `tessera` works anywhere.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    let mut code = String::from(
        "/// Built-in blocks and the demo workspace: (path, contents).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (prefix, dir) in [("blocks", root.join("blocks")), ("demo", root.join("fixtures/demo"))] {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        collect(&dir, &mut files);
        files.sort();
        for file in files {
            let rel = file
                .strip_prefix(&dir)
                .expect("collected below dir")
                .to_string_lossy()
                .replace('\\', "/");
            println!("cargo:rerun-if-changed={}", file.display());
            let abs = file.canonicalize().expect("file exists");
            writeln!(
                code,
                "    ({:?}, include_bytes!({:?})),",
                format!("{prefix}/{rel}"),
                abs.to_string_lossy()
            )
            .expect("write to String");
        }
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, code).expect("write embedded.rs");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

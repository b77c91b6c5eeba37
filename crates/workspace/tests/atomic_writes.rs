//! Atomic writes never write through a link planted under a temporary's name (issue 19, item 8).

use tessera_workspace::write_atomic;

#[test]
fn a_link_planted_under_the_old_predictable_temporary_name_is_never_written_through() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = tempfile::tempdir().expect("outside");
    let victim = outside.path().join("bashrc");
    std::fs::write(&victim, "original").expect("write");
    let target = dir.path().join("welcome.email.json");
    // The name the temporary used to have: `.NAME.tmp-PID`.
    let planted = dir
        .path()
        .join(format!(".welcome.email.json.tmp-{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).expect("plant a link");
    write_atomic(&target, b"{\"new\": true}\n").expect("write");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "original",
        "written through the link"
    );
    let meta = std::fs::symlink_metadata(&target).expect("target");
    assert!(meta.file_type().is_file(), "the document is a regular file, not a link");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "{\"new\": true}\n");
    // No temporary is left behind besides the planted link.
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn two_writes_from_one_process_use_different_temporary_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("a.json");
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let target = target.clone();
            std::thread::spawn(move || write_atomic(&target, format!("{i}\n").as_bytes()))
        })
        .collect();
    for t in threads {
        t.join().expect("thread").expect("write");
    }
    let text = std::fs::read_to_string(&target).expect("read");
    assert!(text.trim().parse::<u32>().is_ok_and(|n| n < 8), "{text:?}");
}

//! Kill -9 during imports, again and again: the store must stay consistent, every import whose
//! process finished must be present in full, and every killed import must be absent in full.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

fn tessera(args: &[&str], dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
    cmd.args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn write_profiles(path: &Path, batch: usize, rows: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(f, "email,first_name,last_name,country,loyalty_points,updated_at").expect("write");
    for i in 0..rows {
        writeln!(
            f,
            "b{batch}-p{i}@example.com,Name{i},Family{batch},DE,{i},2026-11-01T10:00:00Z"
        )
        .expect("write");
    }
}

#[test]
fn killing_imports_never_leaves_a_half_import_or_a_broken_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("ws");
    assert!(tessera(&["init", ws.to_str().expect("utf-8")], dir.path())
        .status()
        .expect("init")
        .success());
    const ROWS: usize = 4000;
    let mut seed: u64 = 0x5DEE_CE66_D1CE_4E5B;
    let mut outcomes = Vec::new();
    // Calibrate: how long does one import take here?
    write_profiles(&ws.join("batch-0.csv"), 0, ROWS);
    let started = Instant::now();
    assert!(tessera(&["import", "batch-0.csv", "--kind", "profiles"], &ws)
        .status()
        .expect("import")
        .success());
    let full = started.elapsed();
    outcomes.push((0, true));
    for batch in 1..=24 {
        let file = format!("batch-{batch}.csv");
        write_profiles(&ws.join(&file), batch, ROWS);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Kill somewhere between the start and a little after the expected end.
        let delay = full.mul_f64((seed % 1000) as f64 / 800.0);
        let mut child = tessera(&["import", &file, "--kind", "profiles"], &ws)
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let finished = match child.try_wait().expect("poll") {
            Some(status) => status.success(),
            None => {
                child.kill().expect("kill -9");
                child.wait().expect("reap");
                false
            }
        };
        outcomes.push((batch, finished));
    }
    let store = tessera_store::Store::open(&ws.join(".tessera/store.db")).expect("the store opens after the kills");
    assert_eq!(store.integrity_check().expect("check"), "ok");
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let mut killed = 0;
    for (batch, finished) in outcomes {
        let count: i64 = conn
            .query_row(
                "SELECT count(*) FROM profiles WHERE email_key LIKE ?1",
                [format!("b{batch}-p%")],
                |r| r.get(0),
            )
            .expect("count");
        if finished {
            assert_eq!(
                count, ROWS as i64,
                "batch {batch} was acknowledged, so all its rows are there"
            );
        } else {
            killed += 1;
            assert!(
                count == 0 || count == ROWS as i64,
                "batch {batch} was killed: all or nothing, found {count}"
            );
        }
        let batches: i64 = conn
            .query_row(
                "SELECT count(*) FROM import_batches WHERE file_name LIKE ?1",
                [format!("%batch-{batch}.csv")],
                |r| r.get(0),
            )
            .expect("batches");
        assert_eq!(
            batches,
            i64::from(count > 0),
            "batch {batch}: the batch record goes with its rows"
        );
    }
    assert!(killed >= 5, "the test must actually kill imports ({killed} killed)");
}

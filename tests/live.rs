//! `tessera serve` as a real process on a free port: Segment's own Python library sends to it,
//! hostile bodies get the answers the contract names, and kill -9 under load never loses or
//! doubles an acknowledged event. Every test reads the SQLite file afterwards.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/serve.rs"]
mod serve;
use serve::{tessera, Server};

/// A workspace with a store, a segment that purchases move, and a write key.
fn workspace() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("ws");
    let ok = tessera(dir.path())
        .args(["init", ws.to_str().expect("utf-8")])
        .stdout(Stdio::null())
        .status()
        .expect("init");
    assert!(ok.success());
    let out = tessera(&ws)
        .args(["keys", "create", "--write", "--json"])
        .output()
        .expect("keys");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let secret = key["secret"].as_str().expect("secret").to_owned();
    (dir, ws, secret)
}

/// A running `tessera serve`, killed when dropped.
/// `tessera serve` as these tests start it (segments re-evaluated every second), with `args` and
/// `env` added.
fn start_args(ws: &Path, env: &[(&str, &str)], args: &[&str]) -> Server {
    let mut all = vec!["--reevaluate-every", "1"];
    all.extend_from_slice(args);
    Server::spawn(ws, env, &all)
}

fn start_with(ws: &Path, env: &[(&str, &str)]) -> Server {
    start_args(ws, env, &[])
}

fn start(ws: &Path) -> Server {
    start_with(ws, &[])
}

fn request(addr: SocketAddr, method: &str, path: &str, key: &str, body: &[u8]) -> Option<(u16, String)> {
    use base64::Engine as _;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    // A server that refuses early (413 on the declared length) may close before the body is
    // all written: its answer is still there to read.
    let _ = stream.write_all(body);
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    let answer = String::from_utf8_lossy(&bytes).into_owned();
    let status = answer.split_whitespace().nth(1)?.parse().ok()?;
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    Some((status, body))
}

fn post(addr: SocketAddr, path: &str, key: &str, body: &serde_json::Value) -> (u16, String) {
    request(addr, "POST", path, key, body.to_string().as_bytes()).expect("the server answers")
}

fn db(ws: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(ws.join(".tessera/store.db")).expect("store")
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// The Python of the venv that scripts/test.sh sets up with Segment's library
/// (scripts/live-setup.sh).
fn python() -> PathBuf {
    let path = std::env::var_os("TESSERA_LIVE_PYTHON")
        .map_or_else(|| PathBuf::from("/var/tmp/tessera-live-venv/bin/python"), PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: run scripts/live-setup.sh (or set TESSERA_LIVE_PYTHON)",
        path.display()
    );
    path
}

#[test]
fn segments_python_library_sends_to_tessera_serve_unchanged_but_for_the_host() {
    let (_dir, ws, key) = workspace();
    // A segment on an unmapped (custom) event name and one of its properties.
    std::fs::write(
        ws.join("segments/webinar-goers.json"),
        r#"{"description": "Attended a webinar on segments", "rule": {"custom_event": "Webinar Attended", "within": "30d", "where": [{"property": "topic", "eq": "segments"}]}}"#,
    )
    .expect("segment");
    let server = start(&ws);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/segment_client.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(format!("http://{}", server.addr))
        .arg(&key)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    server.kill();
    let conn = db(&ws);
    // identify went through the import's normalization: email case, country code, attributes.
    let (id, email, country, first, attributes): (i64, String, String, String, String) = conn
        .query_row(
            "SELECT id, email, country, first_name, attributes FROM profiles WHERE email_key = 'grace.hopper@example.com'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .expect("the identified profile");
    assert_eq!(email, "Grace.Hopper@example.com");
    assert_eq!(country, "US");
    assert_eq!(first, "Grace");
    assert!(attributes.contains("\"plan\":\"pro\""), "{attributes}");
    // The anonymous history joined the profile through the alias; SKUs follow the import rules.
    let types: Vec<(String, Option<String>, Option<f64>, i64)> = conn
        .prepare("SELECT type, sku, value, occurred_at FROM events WHERE profile_id = ?1 ORDER BY type")
        .and_then(|mut st| {
            st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .expect("events");
    let names: Vec<&str> = types.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(
        names,
        ["email_open", "page_view", "product_view", "purchase"],
        "{types:?}"
    );
    assert_eq!(types[2].1.as_deref(), Some("NW-1001"));
    assert_eq!(types[3].2, Some(640.0), "one purchase per line, price × quantity");
    // 2020-01-02T03:04:05Z, corrected for the (tiny) skew between sending and receiving.
    assert!(
        (types[0].3 - 1_577_934_245_000).abs() < 60_000,
        "historical time kept: {}",
        types[0].3
    );
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM custom_events WHERE profile_id = {id} AND name = 'Webinar Attended'")
        ),
        1
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM live_pending"),
        0,
        "nothing left waiting"
    );
    // The purchase of 640 moved the profile into big-spenders (purchases over 500 in 90 days)
    // in the same commit.
    assert_eq!(
        count(&conn, &format!("SELECT count(*) FROM segment_membership WHERE segment = 'big-spenders' AND profile_id = {id} AND left_at IS NULL")),
        1
    );
    // The custom event moved the profile into the segment that names it, in the same commit.
    assert_eq!(
        count(&conn, "SELECT sum(profile_id) + count(*) * 1000000000 FROM segment_membership WHERE segment = 'webinar-goers' AND left_at IS NULL"),
        id + 1_000_000_000,
        "exactly one member: the profile"
    );
}

#[test]
fn hostile_requests_get_the_answers_of_the_contract_and_nothing_partial_is_written() {
    let (_dir, ws, key) = workspace();
    let server = start(&ws);
    let addr = server.addr;
    let send = |path: &str, body: &[u8]| request(addr, "POST", path, &key, body).expect("answer");
    // Malformed, wrong shapes, wrong types: 400 naming the field.
    for (body, expect) in [
        (&b"{\"userId\": \"u\""[..], "malformed JSON"),
        (b"[1,2]", "JSON object"),
        (b"\"text\"", "JSON object"),
        (b"{\"event\":\"x\"}", "userId"),
        (b"{\"userId\":\"u\"}", "event"),
        (b"{\"userId\":{},\"event\":\"x\"}", "userId"),
        (
            b"{\"userId\":\"u\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":\"lots\"}}",
            "properties.revenue",
        ),
        (
            b"{\"userId\":\"u\",\"event\":\"x\",\"timestamp\":\"soon\"}",
            "timestamp",
        ),
        (b"{\"userId\":\"u\",\"event\":\"x\",\"properties\":[]}", "properties"),
        (b"{\"userId\":\"u\\u0000\",\"event\":\"x\"}", "userId"),
    ] {
        let (status, text) = send("/v1/track", body);
        assert_eq!(status, 400, "{}: {text}", String::from_utf8_lossy(body));
        assert!(text.contains(expect), "{}: {text}", String::from_utf8_lossy(body));
    }
    // Unknown key: 401; oversized: 413 with the reason; unknown method: 404.
    let (status, _) = request(addr, "POST", "/v1/track", "nope", b"{}").expect("answer");
    assert_eq!(status, 401);
    let big = format!("{{\"userId\":\"u\",\"event\":\"{}\"}}", "x".repeat(40_000));
    let (status, text) = send("/v1/track", big.as_bytes());
    assert_eq!(status, 413);
    assert!(text.contains("32 KB"), "{text}");
    let huge = format!(
        "{{\"batch\":[{{\"type\":\"track\",\"userId\":\"u\",\"event\":\"{}\"}}]}}",
        "x".repeat(600_000)
    );
    let (status, text) = send("/v1/batch", huge.as_bytes());
    assert_eq!(status, 413);
    assert!(text.contains("500 KB"), "{text}");
    assert_eq!(send("/v1/nothing", b"{}").0, 404);
    // A batch: bad items are refused alone, the others land; an identify whose traits are
    // invalid writes nothing (not even its messageId: a corrected retry goes in).
    let (status, text) = post(
        addr,
        "/v1/batch",
        &key,
        &serde_json::json!({"batch": [
            {"type": "identify", "userId": "h1", "messageId": "bad-1", "traits": {"email": "h1@example.com", "country": "Atlantis"}},
            {"type": "identify", "userId": "h2", "traits": {"email": "h2@example.com", "firstName": "<script>alert(1)</script>", "lastName": "Robert'); DROP TABLE profiles;--", "city": "\u{202e}evil", "bio": "😀".repeat(100)}},
            {"type": "track", "userId": "h2", "event": 5},
            "not an object",
            {"type": "track", "userId": "h2", "event": "Product Added", "properties": {"sku": "s-1", "price": 3}}
        ]}),
    );
    assert_eq!(status, 200, "{text}");
    let answer: serde_json::Value = serde_json::from_str(&text).expect("json");
    let results = answer["results"].as_array().expect("results");
    let statuses: Vec<&str> = results.iter().map(|r| r["status"].as_str().unwrap_or("")).collect();
    assert_eq!(
        statuses,
        ["rejected", "stored", "rejected", "rejected", "stored"],
        "{text}"
    );
    assert_eq!(results[0]["field"], "traits.country");
    assert_eq!(results[2]["field"], "batch[2].event");
    assert_eq!(results[3]["field"], "batch[3]");
    let (status, _) = post(
        addr,
        "/v1/identify",
        &key,
        &serde_json::json!({"userId": "h1", "messageId": "bad-1", "traits": {"email": "h1@example.com", "country": "France"}}),
    );
    assert_eq!(status, 200);
    // 10,000 unknown event names: kept as custom events.
    for chunk in 0..10 {
        let batch: Vec<serde_json::Value> = (0..1000)
            .map(|i| serde_json::json!({"type": "track", "userId": "h2", "event": format!("Custom {chunk}-{i} ✓")}))
            .collect();
        let (status, text) = post(addr, "/v1/batch", &key, &serde_json::json!({ "batch": batch }));
        assert_eq!(status, 200, "{text}");
    }
    // A client that trickles its body does not hold the writer: others are answered meanwhile.
    let mut slow = TcpStream::connect(addr).expect("connect");
    slow.write_all(
        b"POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\nContent-Type: application/json\r\n\r\n{\"user",
    )
    .expect("write");
    let started = Instant::now();
    let (status, _) = post(
        addr,
        "/v1/track",
        &key,
        &serde_json::json!({"userId": "h2", "event": "Email Opened"}),
    );
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // A truncated body (the connection closes early) stores nothing and breaks nothing.
    drop(slow);
    let mut cut = TcpStream::connect(addr).expect("connect");
    cut.write_all(
        b"POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 80\r\n\r\n{\"userId\":\"h2\",\"event\":\"Cut\"",
    )
    .expect("write");
    drop(cut);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(send("/v1/track", b"{\"userId\":\"h2\",\"event\":\"After\"}").0, 200);
    server.kill();

    let conn = db(&ws);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM profiles WHERE email_key = 'h1@example.com' AND country = 'FR'"
        ),
        1
    );
    let (first, last, city): (String, String, String) = conn
        .query_row(
            "SELECT first_name, last_name, city FROM profiles WHERE email_key = 'h2@example.com'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("h2");
    assert_eq!(first, "<script>alert(1)</script>", "stored as data, escaped at render");
    assert_eq!(last, "Robert'); DROP TABLE profiles;--");
    assert!(city.contains("evil"));
    assert_eq!(
        count(&conn, "SELECT count(*) FROM custom_events WHERE name LIKE 'Custom %'"),
        10_000
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM custom_events WHERE name = 'Cut'"), 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM events WHERE type = 'add_to_cart' AND sku = 'S-1'"
        ),
        1
    );
}

#[test]
fn a_revoked_key_stops_working_while_serving() {
    let (_dir, ws, key) = workspace();
    let server = start(&ws);
    let body = serde_json::json!({"userId": "r", "event": "Email Opened"});
    assert_eq!(post(server.addr, "/v1/track", &key, &body).0, 200);
    let listed = tessera(&ws).args(["keys", "list", "--json"]).output().expect("list");
    let keys: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let id = keys[0]["id"].as_i64().expect("id");
    assert!(
        !String::from_utf8_lossy(&listed.stdout).contains(&key),
        "the secret is never listed"
    );
    assert!(tessera(&ws)
        .args(["keys", "revoke", &id.to_string()])
        .stdout(Stdio::null())
        .status()
        .expect("revoke")
        .success());
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(post(server.addr, "/v1/track", &key, &body).0, 401);
    // Not listening beyond loopback without --public.
    let out = tessera(&ws)
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .expect("serve");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--public"));
}

#[test]
fn kill_9_under_load_never_loses_or_doubles_an_acknowledged_event() {
    let (_dir, ws, key) = workspace();
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..22 {
        let server = start(&ws);
        let addr = server.addr;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients: Vec<_> = (0..4)
            .map(|client| {
                let (acked, stop, key) = (acked.clone(), stop.clone(), key.clone());
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        n += 1;
                        let id = format!("r{round}c{client}n{n}");
                        let body = serde_json::json!({"userId": format!("k{client}"), "messageId": id,
                            "event": "Product Viewed", "properties": {"sku": id}});
                        // Each call twice (a client retrying): the second is a duplicate.
                        for _ in 0..2 {
                            match request(addr, "POST", "/v1/track", &key, body.to_string().as_bytes()) {
                                Some((200, _)) => acked.lock().expect("lock").push(id.clone()),
                                Some(_) | None => return,
                            }
                        }
                    }
                })
            })
            .collect();
        // Some identify calls first, so that tracks land on profiles (not only pending).
        if round == 0 {
            for client in 0..4 {
                let (status, _) = post(
                    addr,
                    "/v1/identify",
                    &key,
                    &serde_json::json!({"userId": format!("k{client}"), "traits": {"email": format!("k{client}@example.com")}}),
                );
                assert_eq!(status, 200);
            }
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(100 + seed % 400));
        server.kill();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for c in clients {
            c.join().expect("client");
        }
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() > 500, "too little load: {}", acked.len());
    let conn = db(&ws);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let mut st = conn
        .prepare("SELECT (SELECT count(*) FROM events WHERE sku = upper(?1)) + (SELECT count(*) FROM live_pending WHERE call LIKE '%' || ?1 || '\"%')")
        .expect("query");
    for id in &acked {
        let n: i64 = st.query_row([id], |r| r.get(0)).expect("count");
        assert_eq!(n, 1, "acknowledged {id} is stored {n} times");
    }
}

#[test]
fn pixels_always_answer_a_gif_and_store_valid_calls() {
    use base64::Engine as _;
    let (_dir, ws, key) = workspace();
    let server = start(&ws);
    let call = serde_json::json!({"writeKey": key, "userId": "p1", "event": "Email Opened"}).to_string();
    let data = base64::engine::general_purpose::STANDARD
        .encode(call)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let bad = base64::engine::general_purpose::STANDARD
        .encode("{\"writeKey\":\"wrong\",\"userId\":\"p1\",\"event\":\"Email Opened\"}");
    for (query, stored) in [
        (format!("data={data}"), true),
        (format!("data={bad}"), false),
        ("data=%%%".to_owned(), false),
        (String::new(), false),
    ] {
        let path = format!("/v1/pixel/track?{query}");
        let mut stream = TcpStream::connect(server.addr).expect("connect");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("write");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read");
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 200"), "{query}: {text}");
        assert!(text.to_ascii_lowercase().contains("content-type: image/gif"), "{text}");
        assert!(answer.windows(6).any(|w| w == b"GIF89a"), "{query}");
        let _ = stored;
    }
    server.kill();
    let conn = db(&ws);
    // p1 has no profile yet: the one valid open waits for it.
    assert_eq!(
        count(&conn, "SELECT count(*) FROM live_pending WHERE external_id = 'p1'"),
        1
    );
}

#[test]
fn people_leave_a_time_window_without_a_new_event_and_the_stream_says_so() {
    let (_dir, ws, key) = workspace();
    let out = tessera(&ws)
        .args(["keys", "create", "--read", "--json"])
        .output()
        .expect("keys");
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let read = read["secret"].as_str().expect("secret").to_owned();
    let server = start(&ws);
    // The stream, read on its own thread.
    let addr = server.addr;
    let lines = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let lines = lines.clone();
        std::thread::spawn(move || {
            let mut stream = TcpStream::connect(addr).expect("connect");
            write!(
                stream,
                "GET /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {read}\r\n\r\n"
            )
            .expect("write");
            stream.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                lines
                    .lock()
                    .expect("lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
                if lines.lock().expect("lock").contains("\"left\"") {
                    break;
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        post(
            addr,
            "/v1/identify",
            &key,
            &serde_json::json!({"userId": "w", "traits": {"email": "w@example.com"}})
        )
        .0,
        200
    );
    // Added to the cart 24 h minus 4 s ago: in cart-abandoners (24 h window) for about 4 s more.
    let at = time::OffsetDateTime::now_utc() - time::Duration::hours(24) + time::Duration::seconds(4);
    let at = at.format(&time::format_description::well_known::Rfc3339).expect("time");
    let (status, text) = post(
        addr,
        "/v1/track",
        &key,
        &serde_json::json!({"userId": "w", "event": "Product Added", "timestamp": at, "properties": {"sku": "c-1"}}),
    );
    assert_eq!(status, 200, "{text}");
    let conn = db(&ws);
    let current = |conn: &rusqlite::Connection| {
        count(
            conn,
            "SELECT count(*) FROM segment_membership m JOIN profiles p ON p.id = m.profile_id WHERE m.segment = 'cart-abandoners' AND p.email_key = 'w@example.com' AND m.left_at IS NULL",
        )
    };
    assert_eq!(current(&conn), 1, "entered with the event's commit");
    let deadline = Instant::now() + Duration::from_secs(12);
    while current(&conn) == 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(current(&conn), 0, "left the window on the schedule, with no new event");
    reader.join().expect("reader");
    let seen = lines.lock().expect("lock").clone();
    assert!(seen.contains("event: segment"), "{seen}");
    assert!(
        seen.contains("\"segment\":\"cart-abandoners\",\"profile_id\":"),
        "{seen}"
    );
    assert!(
        seen.contains("\"change\":\"entered\"") && seen.contains("\"change\":\"left\""),
        "{seen}"
    );
    server.kill();
}

fn get(addr: SocketAddr, path: &str, bearer: &str) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {bearer}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(serde_json::Value::Null))
}

#[test]
fn other_systems_read_profiles_and_members_with_a_read_key() {
    let (_dir, ws, key) = workspace();
    let out = tessera(&ws)
        .args(["keys", "create", "--read", "--json"])
        .output()
        .expect("keys");
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let read = read["secret"].as_str().expect("secret").to_owned();
    let server = start(&ws);
    let addr = server.addr;
    assert_eq!(
        post(
            addr,
            "/v1/identify",
            &key,
            &serde_json::json!({"userId": "x9", "traits": {"email": "x9@example.com", "tier": "gold"}})
        )
        .0,
        200
    );
    let order = serde_json::json!({"userId": "x9", "event": "Order Completed", "properties": {"revenue": 900}});
    assert_eq!(post(addr, "/v1/track", &key, &order).0, 200);
    let (status, profile) = get(addr, "/v1/profiles/x9", &read);
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["attributes"]["tier"], "gold");
    assert!(
        profile["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .any(|s| s == "big-spenders"),
        "{profile}"
    );
    assert!(profile["recommendations"].is_array());
    let (status, members) = get(addr, "/v1/segments/big-spenders/members?limit=5", &read);
    assert_eq!(status, 200);
    assert_eq!(members["members"][0]["email"], "x9@example.com");
    assert_eq!(get(addr, "/v1/segments/nope/members", &read).0, 404);
    assert_eq!(get(addr, "/v1/profiles/nobody@example.com", &read).0, 404);
    // The write key does not read, and no key reads nothing.
    assert_eq!(get(addr, "/v1/profiles/x9", &key).0, 401);
    assert_eq!(get(addr, "/v1/profiles/x9", "").0, 401);
    server.kill();
}

/// Signatures computed by Python's `hmac` (an implementation independent of the server's).
const SIGN_PY: &str = r#"
import base64, hashlib, hmac, json, sys
body, now = sys.argv[1].encode(), sys.argv[2]
std_key = base64.b64decode("c3RhbmRhcmQtc2VjcmV0LWJ5dGVz")
sign = lambda key, msg: hmac.new(key, msg, hashlib.sha256)
print(json.dumps({
  "standard": "v1,bm90LWl0 v1," + base64.b64encode(sign(std_key, b"msg_1." + now.encode() + b"." + body).digest()).decode(),
  "shopify": base64.b64encode(sign(b"shop-secret", body).digest()).decode(),
  "stripe": "t=" + now + ",v1=" + sign(b"stripe-secret", now.encode() + b"." + body).hexdigest(),
}))
"#;

#[test]
fn webhooks_are_verified_by_signature_and_mapped_to_profiles_and_events() {
    let (_dir, ws, _key) = workspace();
    let config = std::fs::read_to_string(ws.join("tessera.toml")).expect("config");
    let hooks = r#"
[live.hooks.crm]
scheme = "standard"
secret_env = "HOOK_CRM"
call = "identify"
user_id = "/contact/id"
fields = { email = "/contact/email", first_name = "/contact/first" }

[live.hooks.shop]
scheme = "shopify"
secret_env = "HOOK_SHOP"
call = "track"
event = "Order Completed"
user_id = "/customer/id"
fields = { revenue = "/total_price", currency = "/currency" }

[live.hooks.pay]
scheme = "stripe"
secret_env = "HOOK_PAY"
call = "track"
event = "Payment Succeeded"
user_id = "/data/customer"
"#;
    std::fs::write(ws.join("tessera.toml"), format!("{config}\n{hooks}")).expect("write config");
    let server = start_with(
        &ws,
        &[
            ("HOOK_CRM", "whsec_c3RhbmRhcmQtc2VjcmV0LWJ5dGVz"),
            ("HOOK_SHOP", "shop-secret"),
            ("HOOK_PAY", "stripe-secret"),
        ],
    );
    let now = (tessera_store::now_ms() / 1000).to_string();
    let sign = |body: &str, at: &str| -> serde_json::Value {
        let out = Command::new("python3")
            .args(["-c", SIGN_PY, body, at])
            .output()
            .expect("python3");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("signatures")
    };
    let send = |path: &str, headers: &[(&str, String)], body: &str| -> u16 {
        let mut stream = TcpStream::connect(server.addr).expect("connect");
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        write!(stream, "{head}\r\n{body}").expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status")
    };
    let crm = r#"{"contact":{"id":"crm-77","email":"linus@example.com","first":"Linus"}}"#;
    let s = sign(crm, &now);
    let standard = |sig: &str, at: &str| {
        vec![
            ("webhook-id", "msg_1".to_owned()),
            ("webhook-timestamp", at.to_owned()),
            ("webhook-signature", sig.to_owned()),
        ]
    };
    assert_eq!(
        send("/hooks/crm", &standard(s["standard"].as_str().expect("sig"), &now), crm),
        200
    );
    // Tampered body, stale timestamp, no signature: 401, nothing stored.
    let tampered = crm.replace("Linus", "Mallory");
    assert_eq!(
        send(
            "/hooks/crm",
            &standard(s["standard"].as_str().expect("sig"), &now),
            &tampered
        ),
        401
    );
    let old = (tessera_store::now_ms() / 1000 - 3600).to_string();
    let stale = sign(crm, &old);
    assert_eq!(
        send(
            "/hooks/crm",
            &standard(stale["standard"].as_str().expect("sig"), &old),
            crm
        ),
        401
    );
    assert_eq!(send("/hooks/crm", &[], crm), 401);

    let order = r#"{"customer":{"id":"crm-77"},"total_price":"129.50","currency":"EUR"}"#;
    let s = sign(order, &now);
    let shop = vec![("X-Shopify-Hmac-Sha256", s["shopify"].as_str().expect("sig").to_owned())];
    assert_eq!(send("/hooks/shop", &shop, order), 200);
    assert_eq!(send("/hooks/shop", &shop, &order.replace("129.50", "1.00")), 401);

    let payment = r#"{"data":{"customer":"crm-77","amount":12950}}"#;
    let s = sign(payment, &now);
    let stripe = vec![("Stripe-Signature", s["stripe"].as_str().expect("sig").to_owned())];
    assert_eq!(send("/hooks/pay", &stripe, payment), 200);
    let stale = sign(payment, &old);
    assert_eq!(
        send(
            "/hooks/pay",
            &[("Stripe-Signature", stale["stripe"].as_str().expect("sig").to_owned())],
            payment
        ),
        401
    );
    assert_eq!(send("/hooks/none", &stripe, payment), 404);
    server.kill();

    let conn = db(&ws);
    let id: i64 = conn
        .query_row(
            "SELECT id FROM profiles WHERE email_key = 'linus@example.com' AND first_name = 'Linus'",
            [],
            |r| r.get(0),
        )
        .expect("the CRM's contact");
    assert_eq!(
        count(&conn, "SELECT count(*) FROM profiles WHERE first_name = 'Mallory'"),
        0
    );
    assert_eq!(
        count(&conn, &format!("SELECT count(*) FROM events WHERE profile_id = {id} AND type = 'purchase' AND value = 129.5 AND currency = 'EUR'")),
        1
    );
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM custom_events WHERE profile_id = {id} AND name = 'Payment Succeeded'")
        ),
        1
    );
}

#[test]
fn a_full_queue_answers_429_with_retry_after_and_the_server_keeps_going() {
    let (_dir, ws, key) = workspace();
    let server = start_args(&ws, &[], &["--queue-mb", "1"]);
    let addr = server.addr;
    // Batches of about 450 KB from many clients at once: more than the 1 MB queue holds.
    let batch: Vec<serde_json::Value> = (0..1500)
        .map(|i| serde_json::json!({"type": "track", "anonymousId": format!("q{i}"), "event": "Queue Test", "properties": {"pad": "x".repeat(240)}}))
        .collect();
    let body = serde_json::json!({ "batch": batch }).to_string();
    assert!(body.len() < 500 * 1024 && body.len() > 400 * 1024, "{}", body.len());
    let body = std::sync::Arc::new(body);
    let answers: Vec<(u16, String)> = (0..24)
        .map(|_| {
            let (body, key) = (body.clone(), key.clone());
            std::thread::spawn(move || {
                use base64::Engine as _;
                let mut stream = TcpStream::connect(addr).expect("connect");
                let auth = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
                write!(stream, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).expect("write");
                let mut answer = String::new();
                stream.read_to_string(&mut answer).expect("read");
                let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status");
                (status, answer)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("client"))
        .collect();
    let busy: Vec<&String> = answers.iter().filter(|(s, _)| *s == 429).map(|(_, a)| a).collect();
    assert!(
        !busy.is_empty(),
        "no 429 among {:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert!(
        busy.iter().all(|a| a.to_ascii_lowercase().contains("retry-after: 1")),
        "{busy:?}"
    );
    assert!(answers.iter().all(|(s, _)| *s == 200 || *s == 429));
    let stored = answers.iter().filter(|(s, _)| *s == 200).count();
    // Still serving after the burst.
    assert_eq!(
        post(
            addr,
            "/v1/track",
            &key,
            &serde_json::json!({"anonymousId": "after", "event": "x"})
        )
        .0,
        200
    );
    server.kill();
    let conn = db(&ws);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM live_pending WHERE call LIKE '%Queue Test%'"
        ),
        i64::try_from(stored * 1500).expect("n")
    );
}

/// Every text of the demo's hostile profile (`fixtures/demo/data/eve-hostile.json`).
fn hostile_corpus() -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(m) => m.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/data/eve-hostile.json");
    let data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("corpus")).expect("json");
    let mut out = Vec::new();
    walk(&data, &mut out);
    out.sort();
    out.dedup();
    out
}

#[test]
fn the_hostile_corpus_in_every_trait_and_property_is_stored_as_data_or_refused_by_field() {
    let (_dir, ws, key) = workspace();
    let server = start(&ws);
    let corpus = hostile_corpus();
    assert!(corpus.len() > 10);
    let mut stored = 0;
    for (i, value) in corpus.iter().enumerate() {
        let email = format!("hostile{i}@example.com");
        let traits = serde_json::json!({"email": email, "firstName": value, "lastName": value, "city": value,
            "phone": value, "country": value, "locale": value, "notes": value, value.clone(): value});
        let (status, text) = post(
            server.addr,
            "/v1/identify",
            &key,
            &serde_json::json!({"userId": format!("h{i}"), "traits": traits}),
        );
        assert!(
            status == 200 || (status == 400 && text.contains("traits.")),
            "{value:?}: {status} {text}"
        );
        // Without the fields that validate, the rest is stored as written.
        let traits = serde_json::json!({"email": email, "firstName": value, "city": value, "notes": value});
        let (status, text) = post(
            server.addr,
            "/v1/identify",
            &key,
            &serde_json::json!({"userId": format!("h{i}"), "traits": traits}),
        );
        if value.contains('\0') {
            assert_eq!(status, 400, "{value:?}: {text}");
            continue;
        }
        assert_eq!(status, 200, "{value:?}: {text}");
        stored += 1;
        for event in ["Product Viewed", value.as_str()] {
            let (status, text) = post(
                server.addr,
                "/v1/track",
                &key,
                &serde_json::json!({"userId": format!("h{i}"), "event": event, "properties": {"sku": value, "category": value, value.clone(): value}}),
            );
            assert!(
                status == 200 || (status == 400 && (text.contains("properties.") || text.contains("event"))),
                "{value:?}: {status} {text}"
            );
        }
    }
    server.kill();
    let conn = db(&ws);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let notes: i64 = count(&conn, "SELECT count(*) FROM profiles WHERE email_key LIKE 'hostile%' AND json_extract(attributes, '$.notes') IS NOT NULL");
    assert_eq!(notes, stored, "every accepted hostile value is stored as data");
    for (i, value) in corpus.iter().enumerate().filter(|(_, v)| !v.contains('\0')) {
        let city: Option<String> = conn
            .query_row(
                "SELECT city FROM profiles WHERE email_key = ?1",
                [format!("hostile{i}@example.com")],
                |r| r.get(0),
            )
            .expect("profile");
        let cleaned = value.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            city.unwrap_or_default(),
            cleaned,
            "{value:?} round-trips (whitespace collapsed as the import does)"
        );
    }
}

mod smtp;

/// A GET with no credentials; the whole answer (status line, headers, body).
fn get_raw(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The decoded text/html part of a parsed message.
fn html_part(part: &serde_json::Value) -> Option<String> {
    if part["content_type"] == "text/html" {
        return part["text"].as_str().map(str::to_owned);
    }
    part["parts"].as_array()?.iter().find_map(html_part)
}

/// Every `href="..."`/`src="..."` value of `attr` in `html`, as written.
fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    html.split(&format!("{attr}=\""))
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

#[test]
fn test_sends_carry_the_open_pixel_and_click_links_that_only_redirect_where_the_email_pointed() {
    let (_dir, ws, key) = workspace();
    // A segment the engagement score moves: any open or click in the last 30 days.
    std::fs::write(
        ws.join("segments/opened.json"),
        r#"{"rule": {"score": "engagement", "gt": 0}}"#,
    )
    .expect("segment");
    let server = start(&ws);
    let addr = server.addr;
    let (status, body) = post(
        addr,
        "/v1/identify",
        &key,
        &serde_json::json!({"userId": "reader-1", "traits": {"email": "reader@example.com", "firstName": "Rea"}}),
    );
    assert_eq!(status, 200, "{body}");
    // The original links of the email, rendered without tracking.
    let plain = tessera(&ws)
        .args(["render", "seasonal-sale", "--profile", "reader@example.com"])
        .output()
        .expect("render");
    assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
    let plain_html = String::from_utf8_lossy(&plain.stdout).into_owned();
    let originals: Vec<String> = attribute_values(&plain_html, "href")
        .into_iter()
        .filter(|h| h.starts_with("http"))
        .map(|h| h.replace("&amp;", "&"))
        .collect();
    assert!(!originals.is_empty(), "the email has links");

    let config = ws.join("tessera.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!("\n[live]\nbase_url = \"http://{addr}/\"\n"));
    std::fs::write(&config, text).expect("config");
    let sent = tessera(&ws)
        .args([
            "send",
            "seasonal-sale",
            "--to",
            "seed@example.com",
            "--profile",
            "reader@example.com",
            "--outbox",
        ])
        .output()
        .expect("send");
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let eml = std::fs::read_dir(ws.join(".tessera/outbox"))
        .expect("outbox")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "eml"))
        .expect("a message in the outbox");
    // Read with Python's email package, an independent MIME parser.
    let html = html_part(&smtp::inspect(&eml)["tree"]).expect("an HTML part");
    let hrefs: Vec<String> = attribute_values(&html, "href")
        .into_iter()
        .filter(|h| h.starts_with("http"))
        .collect();
    let base = format!("http://{addr}/r/");
    assert_eq!(hrefs.len(), originals.len(), "{hrefs:?}");
    assert!(
        hrefs.iter().all(|h| h.starts_with(&base)),
        "every web link is signed: {hrefs:?}"
    );
    assert!(
        !html.contains("northwind.example/sale"),
        "no original URL is left in the HTML"
    );
    let pixel = attribute_values(&html, "src")
        .into_iter()
        .find(|s| s.starts_with(&format!("http://{addr}/v1/pixel/track?data=")))
        .expect("the open pixel");

    let conn = db(&ws);
    let id = conn
        .query_row(
            "SELECT id FROM profiles WHERE email_key = 'reader@example.com'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .expect("profile");
    let member = |conn: &rusqlite::Connection| {
        count(
            conn,
            &format!("SELECT count(*) FROM segment_membership WHERE segment = 'opened' AND profile_id = {id} AND left_at IS NULL"),
        )
    };
    assert_eq!(member(&conn), 0, "no engagement before the open");
    // The test open: the pixel answers a GIF, stores an email_open and moves the engagement score.
    let answer = get_raw(addr, pixel.trim_start_matches(&format!("http://{addr}")));
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains("image/gif"),
        "{answer}"
    );
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM events WHERE profile_id = {id} AND type = 'email_open'")
        ),
        1
    );
    assert_eq!(member(&conn), 1, "the open moved the engagement score into the segment");

    // A click goes to the link the email had there, and is stored. An event's identity is its
    // profile, type and millisecond (the events table's de-duplication key), so two clicks of one
    // profile in the same millisecond are one event: the clicks here are a few ms apart, as a
    // reader's are (a commit answers in well under a millisecond now).
    for (href, original) in hrefs.iter().zip(&originals) {
        std::thread::sleep(std::time::Duration::from_millis(2));
        let answer = get_raw(addr, href.trim_start_matches(&format!("http://{addr}")));
        assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
        let location = answer
            .lines()
            .find_map(|l| l.strip_prefix("location: "))
            .expect("Location");
        assert_eq!(location, original);
    }
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM events WHERE profile_id = {id} AND type = 'click'")
        ),
        i64::try_from(hrefs.len()).expect("count")
    );

    // Never an open redirect: altered, foreign-purpose and made-up tokens get 403 with no Location.
    let token = hrefs[0].trim_start_matches(&base).to_owned();
    let mut altered = token.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("ascii");
    let open_token = {
        use base64::Engine as _;
        let data = pixel.split("data=").nth(1).expect("data");
        let json: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(data)
                .expect("base64"),
        )
        .expect("json");
        json["token"].as_str().expect("token").to_owned()
    };
    for bad in [
        altered.as_str(),
        open_token.as_str(),
        "aHR0cHM6Ly9ldmlsLmV4YW1wbGU",
        "https:%2F%2Fevil.example",
        "",
    ] {
        let answer = get_raw(addr, &format!("/r/{bad}"));
        assert!(
            !answer.to_ascii_lowercase().contains("\r\nlocation:"),
            "/r/{bad} must not redirect: {answer}"
        );
        assert!(
            answer.starts_with("HTTP/1.1 403") || answer.starts_with("HTTP/1.1 404"),
            "/r/{bad}: {answer}"
        );
    }
    // A pixel with an altered open token stores nothing (and still answers the GIF).
    let forged = serde_json::json!({"event": "Email Opened", "token": altered}).to_string();
    let forged = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged)
    };
    let answer = get_raw(addr, &format!("/v1/pixel/track?data={forged}"));
    assert!(answer.contains("image/gif"));
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM events WHERE profile_id = {id} AND type = 'email_open'")
        ),
        1
    );
}

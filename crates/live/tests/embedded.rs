//! The collector started inside another program (the desktop app's Live data screen): on the
//! caller's tokio runtime, on a free loopback port, a key created while it runs works at once
//! after `reload_keys`, each commit's calls arrive on the activity channel with the profile's
//! email and the segments it entered, and after `stop` nothing listens.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use base64::Engine as _;
use tessera_live::activity::Activity;
use tessera_live::embedded::Collector;
use tessera_live::{keys, KeyKind, ServeOptions};
use tessera_workspace::Workspace;

/// One HTTP/1.1 POST with the key as Basic user, on a connection of its own: the status.
fn post(addr: SocketAddr, path: &str, key: &str, body: &serde_json::Value) -> std::io::Result<u16> {
    let body = body.to_string();
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}

/// Activity rows until one for `email` entered `segment` (or the time is up).
async fn wait_for(
    rx: &mut tokio::sync::broadcast::Receiver<Vec<Activity>>,
    email: &str,
    segment: &str,
    seen: &mut Vec<Activity>,
) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if seen
            .iter()
            .any(|a| a.email.as_deref() == Some(email) && a.segments.iter().any(|s| s == segment))
        {
            return true;
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(rows)) => seen.extend(rows),
            _ => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_collector_takes_new_keys_at_once_reports_each_call_and_stops() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("ws");
    tessera_workspace::init(&root).expect("init");
    let ws = Workspace::open(&root).expect("workspace");
    let options = ServeOptions::new(SocketAddr::from(([127, 0, 0, 1], 0)));
    let (activity, mut rx) = tokio::sync::broadcast::channel(64);
    let collector = Collector::start(ws, options, Some(activity)).await.expect("start");
    let addr = collector.addr;
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");

    // A key created while it runs works at once after reload_keys.
    let store = Workspace::open(&root).expect("workspace").open_store().expect("store");
    let key = keys::create(&store, KeyKind::Write).expect("key");
    collector.reload_keys(&store).expect("reload");
    let identify =
        serde_json::json!({"userId": "u-1", "traits": {"email": "Lin@Example.com", "loyalty_tier": "Summit"}});
    let status = tokio::task::spawn_blocking(move || post(addr, "/v1/identify", &key.secret, &identify))
        .await
        .expect("join")
        .expect("post");
    assert_eq!(status, 200);
    let mut seen = Vec::new();
    assert!(
        // The import's normalization: the domain in lower case.
        wait_for(&mut rx, "Lin@example.com", "+vip", &mut seen).await,
        "the identify with its segment entry: {seen:?}"
    );
    let row = seen
        .iter()
        .find(|a| a.email.as_deref() == Some("Lin@example.com"))
        .expect("row");
    assert_eq!(
        (row.call.as_str(), row.status.as_str(), row.who.as_str()),
        ("identify", "stored", "u-1")
    );
    assert!(row.profile_id.is_some());

    // A refused call is reported with its field, and counted.
    let secret = keys::list(&store).expect("keys");
    assert_eq!(secret.len(), 1);
    let revoked_key = keys::create(&store, KeyKind::Write).expect("key");
    collector.reload_keys(&store).expect("reload");
    let wrong = serde_json::json!({"userId": "u-1", "event": 42});
    let k = revoked_key.secret.clone();
    let status = tokio::task::spawn_blocking(move || post(addr, "/v1/track", &k, &wrong))
        .await
        .expect("join")
        .expect("post");
    assert_eq!(status, 400);
    assert!(collector.counters.rejected.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    // A revoked key is refused at once after reload_keys.
    assert!(keys::revoke(&store, revoked_key.id).expect("revoke"));
    collector.reload_keys(&store).expect("reload");
    let order = serde_json::json!({"userId": "u-1", "event": "Order Completed", "properties": {"revenue": 900}});
    let k = revoked_key.secret.clone();
    let o = order.clone();
    let status = tokio::task::spawn_blocking(move || post(addr, "/v1/track", &k, &o))
        .await
        .expect("join")
        .expect("post");
    assert_eq!(status, 401);

    collector.stop().await.expect("stop");
    let after = tokio::task::spawn_blocking(move || post(addr, "/v1/track", &revoked_key.secret, &order))
        .await
        .expect("join");
    assert!(after.is_err(), "nothing listens after stop: {after:?}");
    // The acknowledged identify is in the store.
    let store = Workspace::open(&root).expect("workspace").open_store().expect("store");
    assert!(store.find_profile_id("lin@example.com").is_ok());
}

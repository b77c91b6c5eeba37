"""Latency from an event sent to `tessera serve` to the segment entry it causes, as seen on
/v1/stream. Each probe identifies a new person, looks up its profile id on the read side, then
sends an `Order Completed` of 900 (big-spenders: purchases over 500 in 90 days) and waits for
that profile's `entered` event on the stream. Prints p50, p99 and max in ms.
Usage: live_stream.py URL WRITE_KEY READ_KEY PROBES"""
import base64, http.client, json, sys, threading, time, urllib.parse

url, write_key, read_key, probes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host = urllib.parse.urlparse(url).netloc
arrived = {}
lock = threading.Condition()


def listen():
    conn = http.client.HTTPConnection(host, timeout=60)
    conn.request("GET", "/v1/stream", headers={"Authorization": "Bearer " + read_key})
    resp = conn.getresponse()
    while True:
        line = resp.readline()
        if not line:
            return
        if line.startswith(b"data:"):
            event = json.loads(line[5:])
            if event["segment"] == "big-spenders" and event["change"] == "entered":
                with lock:
                    arrived[event["profile_id"]] = time.monotonic()
                    lock.notify_all()


def call(conn, method, path, body=None, key=None):
    auth = "Basic " + base64.b64encode((write_key + ":").encode()).decode() if key is None else "Bearer " + key
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Authorization": auth, "Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    assert resp.status == 200, (resp.status, data)
    return json.loads(data)


threading.Thread(target=listen, daemon=True).start()
time.sleep(0.5)
conn = http.client.HTTPConnection(host, timeout=60)
stamp = int(time.time())
latencies = []
for i in range(probes):
    user = f"probe-{stamp}-{i}"
    call(conn, "POST", "/v1/identify", {"userId": user, "traits": {"email": f"{user}@example.com"}})
    profile = call(conn, "GET", "/v1/profiles/" + user, key=read_key)["id"]
    sent = time.monotonic()
    call(conn, "POST", "/v1/track", {"userId": user, "event": "Order Completed", "properties": {"revenue": 900}})
    with lock:
        lock.wait_for(lambda: profile in arrived, timeout=10)
        latencies.append((arrived.get(profile, sent + 10) - sent) * 1000)
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"event to segment entry on /v1/stream ({probes} probes): p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {latencies[-1]:.1f} ms")

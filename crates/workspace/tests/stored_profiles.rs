//! Rendering as a stored profile: the profile's attributes and open cart reach the template, and
//! data older than its source's freshness threshold is reported.

use std::io::Write as _;

use tessera_store::import::{import, ImportOptions, Kind};
use tessera_workspace::Workspace;

fn write(path: &std::path::Path, text: &str) {
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write");
}

#[test]
fn a_stored_profile_renders_with_its_cart_and_stale_fields_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    tessera_workspace::init(dir.path()).expect("init");
    let mut ws = Workspace::open(dir.path()).expect("open");
    let mut store = ws.open_store().expect("store");
    let options = ImportOptions::new;
    let profiles = dir.path().join("p.csv");
    write(
        &profiles,
        "email,first_name,loyalty_points,updated_at\nada@example.com,Ada,1500,2026-11-27T10:00:00Z\n",
    );
    import(&mut store, &profiles, &options(Kind::Profiles), &|_| {}).expect("profiles");
    let products = dir.path().join("products.csv");
    write(&products, "sku,name,price,currency,url,image_url\nNW-1001,Trail Jacket,149.9,EUR,https://northwind.example/p/nw-1001,https://images.northwind.example/products/nw-1001.jpg\n");
    import(&mut store, &products, &options(Kind::Products), &|_| {}).expect("products");
    let events = dir.path().join("e.jsonl");
    write(&events, "{\"email\": \"ada@example.com\", \"type\": \"add_to_cart\", \"sku\": \"NW-1001\", \"occurred_at\": \"2026-11-27T11:00:00Z\"}\n");
    import(&mut store, &events, &options(Kind::Events), &|_| {}).expect("events");

    let cart = ws.email("abandoned-cart").expect("email");
    let fresh_now = 1_795_777_200_000 + 3_600_000; // 2026-11-27T11:00Z plus an hour: CRM data is 2 h old
    let rendered = ws.render_profile(&cart, "ada@example.com", fresh_now).expect("renders");
    assert!(rendered.subject.contains("Ada"), "{}", rendered.subject);
    assert!(
        rendered.html.contains("Trail Jacket"),
        "the stored cart reaches the template"
    );
    assert!(
        rendered.report.stale_fields.is_empty(),
        "{:?}",
        rendered.report.stale_fields
    );

    let two_days_later = fresh_now + 2 * 86_400_000;
    let rendered = ws
        .render_profile(&cart, "ada@example.com", two_days_later)
        .expect("renders");
    let stale: Vec<&str> = rendered.report.stale_fields.iter().map(|s| s.field.as_str()).collect();
    assert!(stale.contains(&"profile.first_name"), "{stale:?}");
    assert!(
        rendered
            .report
            .stale_fields
            .iter()
            .all(|s| s.threshold == "24h" && s.source == "crm"),
        "{:?}",
        rendered.report.stale_fields
    );

    let err = ws
        .render_profile(&cart, "nobody@example.com", fresh_now)
        .expect_err("unknown profile");
    assert!(err.to_string().contains("nobody@example.com"), "{err}");
}

//! Per-recipient render against a peer: every demo email, compiled once, rendered for one recipient
//! (HTML + text) through Tessera's plan and through the handlebars crate.
//!
//! The handlebars side renders the same compiled email: its SendGrid export (the plan translated to
//! Handlebars, inlined CSS and all), with the helpers the differential test registers
//! (`crates/core/tests/differential.rs`: `default`, `in_segment`, its escape set) and SendGrid's
//! comparison helpers the export uses (as `tests/esp/sendgrid.js` defines them), on the data the
//! export's contract prepares from the same recipient (money and dates pre-formatted, which is work
//! the handlebars side does not repeat per recipient). Before measuring, both outputs are compared;
//! the ratio is printed after the group.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[path = "support/cpu.rs"]
mod cpu;

/// The system allocator, counting allocations: the bench prints how many one recipient's render
/// makes in the steady state (the goal is none).
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations per call of `f`, after it has run once (the steady state).
fn allocations_per_call(mut f: impl FnMut()) -> f64 {
    f();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..100 {
        f();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 100.0
}

#[path = "../../core/tests/support/handlebars_reference.rs"]
mod handlebars_reference;

use criterion::{criterion_group, criterion_main, Criterion};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, JsonRender, Output as HbOutput, RenderContext, Renderable,
};
use serde_json::Value;
use tessera_core::export::{contract::prepare_data, export, ExportInput, Target};
use tessera_core::render::{personalize_into, Output};
use tessera_workspace::Workspace;

/// JavaScript's truthiness, as SendGrid's `and`/`or` read it.
fn js_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// A number the way JavaScript's `==`, `<` and `>` coerce a string or number.
fn js_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s.trim().is_empty() => Some(0.0),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Null => None,
        _ => None,
    }
}

fn js_loose_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        _ => match (js_number(a), js_number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// SendGrid's comparison block helpers: `{{#name a b}}yes{{else}}no{{/name}}`.
struct Compare(fn(&Value, &Value) -> bool);

impl HelperDef for Compare {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn HbOutput,
    ) -> HelperResult {
        let null = Value::Null;
        let a = h.param(0).map_or(&null, |p| p.value());
        let b = h.param(1).map_or(&null, |p| p.value());
        let branch = if (self.0)(a, b) { h.template() } else { h.inverse() };
        match branch {
            Some(t) => t.render(r, ctx, rc, out),
            None => Ok(()),
        }
    }
}

/// SendGrid's `insert`: the value, or the default when it is missing.
fn insert_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn HbOutput,
) -> HelperResult {
    let value = h.param(0).map_or(Value::Null, |p| p.value().clone());
    let fallback = h.param(1).map(|p| p.value().render()).unwrap_or_default();
    let text = match value {
        Value::Null => fallback.trim_start_matches("default=").to_owned(),
        Value::String(s) if s.is_empty() => fallback.trim_start_matches("default=").to_owned(),
        other => other.render(),
    };
    out.write(&handlebars::html_escape(&text).replace('{', "&#123;"))?;
    Ok(())
}

fn length_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn HbOutput,
) -> HelperResult {
    let n = match h.param(0).map(|p| p.value()) {
        Some(Value::String(s)) => s.encode_utf16().count(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    };
    out.write(&n.to_string())?;
    Ok(())
}

fn peer() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    handlebars_reference::register(&mut hb);
    hb.register_helper("equals", Box::new(Compare(js_loose_equal)));
    hb.register_helper("notEquals", Box::new(Compare(|a, b| !js_loose_equal(a, b))));
    hb.register_helper(
        "greaterThan",
        Box::new(Compare(
            |a, b| matches!((js_number(a), js_number(b)), (Some(x), Some(y)) if x > y),
        )),
    );
    hb.register_helper(
        "lessThan",
        Box::new(Compare(
            |a, b| matches!((js_number(a), js_number(b)), (Some(x), Some(y)) if x < y),
        )),
    );
    hb.register_helper("and", Box::new(Compare(|a, b| js_truthy(a) && js_truthy(b))));
    hb.register_helper("or", Box::new(Compare(|a, b| js_truthy(a) || js_truthy(b))));
    hb.register_helper("insert", Box::new(insert_helper));
    hb.register_helper("length", Box::new(length_helper));
    hb
}

/// Mean time of one call over `budget`, for the ratio printed after the group (criterion's own
/// estimates are in its report; this is the same work measured back to back).
fn mean(budget: Duration, mut f: impl FnMut()) -> Duration {
    for _ in 0..100 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < budget {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    start.elapsed() / n
}

fn benches(c: &mut Criterion) {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("loadavg: {}", loadavg.trim());
    let mut ws = Workspace::demo().expect("demo workspace");
    let data = ws
        .samples()
        .expect("samples")
        .into_iter()
        .find(|(n, _)| n == "ada")
        .expect("ada")
        .1;
    let mut ratios = Vec::new();
    let mut group = c.benchmark_group("personalize vs handlebars crate");
    for name in ["seasonal-sale", "abandoned-cart", "welcome"] {
        let entry = ws.email(name).expect("demo email");
        let compiled = ws.compile(&entry).expect("compiles");
        let input = ExportInput {
            compiled: &compiled,
            dictionary: &ws.dictionary,
            email: name,
            data: None,
            velocity_object: None,
            // ESP exports need the demo's pictures hosted; the Tessera side is rendered as the
            // preview renders (local paths), so the two HTML parts differ only in those URLs.
            asset_base_url: Some("https://cdn.example.com/email-assets"),
            live: &[],
        };
        let sendgrid = export(&input, Target::Sendgrid).expect("sendgrid export");
        let hb_data = prepare_data(&sendgrid.manifest, &data);
        let mut hb = peer();
        hb.register_template_string("html", &sendgrid.html)
            .expect("html parses");
        hb.register_template_string("text", &sendgrid.text)
            .expect("text parses");

        let mut out = Output::default();
        personalize_into(&compiled, &data, &mut out);
        let theirs = hb.render("html", &hb_data).expect("handlebars renders");
        // The export hosts the pictures; the render keeps workspace paths.
        let same = theirs.replace("https://cdn.example.com/email-assets/", "assets/") == out.html;
        println!(
            "{name}: {} KB HTML, handlebars crate's HTML {} Tessera's; {:.1} allocations per recipient",
            out.html.len() / 1024,
            if same { "equals" } else { "differs from" },
            allocations_per_call(|| personalize_into(&compiled, &data, &mut out))
        );

        group.bench_function(format!("tessera {name} (HTML + text)"), |b| {
            b.iter(|| personalize_into(&compiled, &data, &mut out));
        });
        group.bench_function(format!("handlebars crate {name} (HTML + text)"), |b| {
            b.iter(|| {
                let html = hb.render("html", &hb_data).expect("renders");
                let text = hb.render("text", &hb_data).expect("renders");
                (html, text)
            });
        });
        let (ours, ours_cpu) = cpu::per_call(Duration::from_millis(800), || {
            personalize_into(&compiled, &data, &mut out);
        });
        let theirs = mean(Duration::from_millis(800), || {
            let html = hb.render("html", &hb_data).expect("renders");
            let text = hb.render("text", &hb_data).expect("renders");
            std::hint::black_box((html, text));
        });
        ratios.push((name, ours, ours_cpu, theirs));
    }
    group.finish();
    println!(
        "loadavg: {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    for (name, ours, ours_cpu, theirs) in ratios {
        println!(
            "ratio {name}: tessera {:.2} us ({:.2} us CPU), handlebars crate {:.2} us, handlebars / tessera = {:.1}x",
            cpu::us(ours),
            cpu::us(ours_cpu),
            cpu::us(theirs),
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

criterion_group! {
    name = personalize;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(personalize);

//! The AMP part's plan (made once per compiled version, walked per recipient) against the
//! token-by-token rewrite of the rendered HTML it replaces: byte-equal documents and reports for
//! every demo email, every sample and edge-case recipient, live blocks with and without feeds, and
//! recipients whose every text holds markup, entities, line breaks and NUL.

use serde_json::Value;
use tessera_core::amp::{self, AmpPlan, LiveBlock};
use tessera_workspace::Workspace;

/// `data` with every string given characters the tokenizer treats specially.
fn hostile(data: &Value, tail: &str) -> Value {
    match data {
        Value::String(s) => Value::String(format!("{s}{tail}")),
        Value::Array(items) => Value::Array(items.iter().map(|v| hostile(v, tail)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), hostile(v, tail))).collect()),
        other => other.clone(),
    }
}

#[test]
fn the_plan_renders_what_the_token_by_token_rewrite_renders() {
    let mut ws = Workspace::demo().expect("demo workspace");
    let samples = ws.samples().expect("samples");
    assert!(samples.len() >= 5, "ada, ben and the edge cases");
    let mut recipients: Vec<(String, Value)> = samples.clone();
    for (name, data) in &samples {
        for (i, tail) in [" &amp; <b>\"x\"</b> {{y}}", "\r\n\0\r'`=", "\u{a0}&copy;\r"]
            .iter()
            .enumerate()
        {
            recipients.push((format!("{name}+hostile{i}"), hostile(data, tail)));
        }
    }
    let mut live_documents = 0;
    for name in ws.email_names() {
        let entry = ws.email(&name).expect("email");
        let compiled = ws.compile(&entry).expect("compiles");
        let plan = AmpPlan::new(&compiled, &ws.dictionary, &name);
        assert!(plan.is_planned(), "{name}: the demo's markup can be planned");
        let with_feeds: Vec<LiveBlock> = Workspace::live_blocks(&entry)
            .into_iter()
            .map(|(id, spec)| LiveBlock {
                src: Some(format!("https://live.example.com/feeds/{name}/{id}?t=abc&x=\"1\"")),
                id,
                spec,
            })
            .collect();
        let without_feeds: Vec<LiveBlock> = with_feeds
            .iter()
            .map(|b| LiveBlock { src: None, ..b.clone() })
            .collect();
        for (who, data) in &recipients {
            for live in [&with_feeds, &without_feeds, &Vec::new()] {
                let planned = plan.render(data, live).expect("planned AMP");
                let reference =
                    amp::render_unplanned(&compiled, &ws.dictionary, &name, data, live).expect("reference AMP");
                assert_eq!(planned.report, reference.report, "{name} for {who}");
                if planned.html != reference.html {
                    let at = planned
                        .html
                        .bytes()
                        .zip(reference.html.bytes())
                        .position(|(a, b)| a != b)
                        .unwrap_or(planned.html.len().min(reference.html.len()));
                    let from = at.saturating_sub(200);
                    panic!(
                        "{name} for {who}: the documents differ at byte {at}:\nplan: {}\nrewrite: {}",
                        planned
                            .html
                            .get(from..(at + 200).min(planned.html.len()))
                            .unwrap_or("?"),
                        reference
                            .html
                            .get(from..(at + 200).min(reference.html.len()))
                            .unwrap_or("?"),
                    );
                }
                live_documents += usize::from(!planned.report.live_blocks.is_empty());
            }
        }
    }
    assert!(live_documents > 0, "some documents had live blocks over feeds");
}

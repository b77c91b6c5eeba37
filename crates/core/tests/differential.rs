//! The render plan against the handlebars crate's own rendering of the same templates, on random
//! templates and random data. The harness implements our helpers (`default`, `in_segment`) from
//! their documented behaviour, independently of the engine.

use std::fmt::Write as _;

#[path = "support/handlebars_reference.rs"]
mod handlebars_reference;

use handlebars::Handlebars;
use serde_json::{json, Value};
use tessera_core::compile::plan::{mark, Output as PlanOutput};
use tessera_core::lang::{LiteralMode, Lowerer};

/// A small deterministic generator (xorshift64*), so failures reproduce from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("below n")
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TOP_PATHS: &[&str] = &[
    "profile.first_name",
    "profile.age",
    "profile.vip",
    "profile.city",
    "cart.total",
    "missing.value",
];
const ITEM_PATHS: &[&str] = &[
    "this.name",
    "name",
    "this.price",
    "@index",
    "@first",
    "@last",
    "@root.profile.first_name",
    "../profile.city",
];
const LITERALS: &[&str] = &["Hello ", "a", " and ", ", ", "!", " x "];

fn condition(rng: &mut Rng, paths: &[&str], depth: u32) -> String {
    let path = *rng.pick(paths);
    match if depth > 1 { rng.below(4) } else { rng.below(8) } {
        0 | 1 => path.to_owned(),
        2 => format!("(eq {path} {})", rng.pick(&["\"Ada\"", "3", "true", "\"\""])),
        3 => format!("(gt {path} {})", rng.below(40)),
        4 => format!(
            "(and {} {})",
            condition(rng, paths, depth + 1),
            condition(rng, paths, depth + 1)
        ),
        5 => format!(
            "(or {} {})",
            condition(rng, paths, depth + 1),
            condition(rng, paths, depth + 1)
        ),
        6 => format!("(not {})", condition(rng, paths, depth + 1)),
        _ => format!("(in_segment \"{}\")", rng.pick(&["vip", "new"])),
    }
}

fn template(rng: &mut Rng, in_loop: bool, depth: u32) -> String {
    let paths: Vec<&str> = if in_loop {
        ITEM_PATHS.iter().chain(TOP_PATHS.iter().take(1)).copied().collect()
    } else {
        TOP_PATHS.to_vec()
    };
    let mut out = String::new();
    for _ in 0..=rng.below(4) {
        let choice = if depth > 2 { rng.below(3) } else { rng.below(7) };
        match choice {
            0 => out.push_str(rng.pick::<&str>(LITERALS)),
            1 => {
                let _ = write!(out, "{{{{{}}}}}", rng.pick(&paths));
            }
            2 => {
                let _ = write!(out, "{{{{default {} \"fb<&>\"}}}}", rng.pick(&paths));
            }
            3 => {
                let _ = write!(
                    out,
                    "{{{{#if {}}}}}{}{{{{else}}}}{}{{{{/if}}}}",
                    condition(rng, &paths, 0),
                    template(rng, in_loop, depth + 1),
                    template(rng, in_loop, depth + 1)
                );
            }
            4 => {
                let _ = write!(
                    out,
                    "{{{{#unless {}}}}}{}{{{{/unless}}}}",
                    condition(rng, &paths, 0),
                    template(rng, in_loop, depth + 1)
                );
            }
            5 if !in_loop => {
                let _ = write!(
                    out,
                    "{{{{#each {}}}}}[{}]{{{{else}}}}none{{{{/each}}}}",
                    rng.pick(&["cart.items", "recommendations", "missing.list"]),
                    template(rng, true, depth + 1)
                );
            }
            _ => {
                let _ = write!(
                    out,
                    "{{{{#if {}}}}}{}{{{{else if {}}}}}{}{{{{/if}}}}",
                    condition(rng, &paths, 0),
                    template(rng, in_loop, depth + 1),
                    condition(rng, &paths, 0),
                    template(rng, in_loop, depth + 1)
                );
            }
        }
    }
    out
}

fn scalar(rng: &mut Rng) -> Option<Value> {
    Some(match rng.below(12) {
        0 => return None,
        1 => Value::Null,
        2 => json!(""),
        3 => json!(" "),
        4 => json!(0),
        5 => json!(false),
        6 => json!(true),
        7 => json!(rng.below(50)),
        8 => json!("Ada"),
        9 => json!("<b>\"Tom\" & 'Jerry'</b> =`"),
        10 => json!("{{7*7}} %%=v(@x)=%% *|FNAME|*"),
        _ => json!(-3),
    })
}

fn object(rng: &mut Rng, keys: &[&str]) -> Value {
    let mut map = serde_json::Map::new();
    for k in keys {
        if let Some(v) = scalar(rng) {
            map.insert((*k).to_owned(), v);
        }
    }
    Value::Object(map)
}

fn list(rng: &mut Rng) -> Option<Value> {
    match rng.below(5) {
        0 => None,
        1 => Some(Value::Null),
        2 => Some(json!([])),
        _ => Some(Value::Array(
            (0..=rng.below(4)).map(|_| object(rng, &["name", "price"])).collect(),
        )),
    }
}

fn data(rng: &mut Rng) -> Value {
    let mut root = serde_json::Map::new();
    root.insert("profile".into(), object(rng, &["first_name", "age", "vip", "city"]));
    let mut cart = object(rng, &["total"]);
    if let (Some(items), Value::Object(c)) = (list(rng), &mut cart) {
        c.insert("items".into(), items);
    }
    root.insert("cart".into(), cart);
    if let Some(recs) = list(rng) {
        root.insert("recommendations".into(), recs);
    }
    let segments: Vec<&str> = ["vip", "new"].into_iter().filter(|_| rng.below(2) == 0).collect();
    root.insert("segments".into(), json!(segments));
    Value::Object(root)
}

fn reference() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    handlebars_reference::register(&mut hb);
    hb
}

fn ours(source: &str, data: &Value) -> String {
    let nodes = Lowerer::new(LiteralMode::Markup, None)
        .lower_source(source)
        .expect("template is in the language");
    let (part, tables) = mark(nodes, false)
        .and_then(|m| m.into_part(PlanOutput::Html))
        .expect("plan");
    tessera_core::render::render_part(&part, &tables, data, "en-US").0
}

#[test]
fn plan_matches_handlebars_on_random_templates_and_data() {
    let hb = reference();
    let mut compared = 0;
    for seed in 1..=400u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let source = template(&mut rng, false, 0);
        // in_segment as a subexpression must yield a boolean for handlebars: wrap it as (eq ... "true").
        let reference_source = source
            .replace("(in_segment \"vip\")", "(eq (in_segment \"vip\") \"true\")")
            .replace("(in_segment \"new\")", "(eq (in_segment \"new\") \"true\")");
        for _ in 0..10 {
            let data = data(&mut rng);
            let expected = hb
                .render_template(&reference_source, &data)
                .unwrap_or_else(|e| panic!("seed {seed}: handlebars failed on {source}: {e}"));
            let actual = ours(&source, &data);
            assert_eq!(actual, expected, "seed {seed}\ntemplate: {source}\ndata: {data}");
            compared += 1;
        }
    }
    assert_eq!(compared, 4000);
}

#[test]
fn each_limit_takes_the_first_items_only() {
    let data = json!({"recs": [{"n": "a"}, {"n": "b"}, {"n": "c"}]});
    assert_eq!(
        ours("{{#each recs limit=2}}{{n}}{{#if @last}}.{{/if}}{{/each}}", &data),
        "ab."
    );
    assert_eq!(ours("{{#each recs limit=5}}{{n}}{{/each}}", &data), "abc");
    assert_eq!(ours("{{#each nothing limit=2}}x{{else}}empty{{/each}}", &data), "empty");
}

//! The QA's client support check against an independent implementation over the same data: the
//! npm `caniemail` package's own checker (htmlparser2, @adobe/css-tools, css-what; run by
//! `tests/esp/caniemail-check.mjs`). Both check the same HTML for the default client list, on every
//! demo email for every sample recipient, every built-in block alone and the feature corpus in
//! `tests/qa/corpus/`, and must find the same (feature, client, error|warning) triples. Every
//! difference must be one of the explained ones below, each a known behaviour of the npm checker
//! recomputed here from the HTML and the data (not a list of expected pairs).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use tessera_qa::data::{data, parse_status, Support};
use tessera_qa::markup::{self, Event};
use tessera_qa::{Category, Input, Level, Options};
use tessera_workspace::{EmailEntry, Workspace};

type Triple = (String, String, String);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The emails: demo emails for every sample, built-in blocks alone, the corpus.
fn emails() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut ws = Workspace::demo().expect("the demo workspace loads");
    let samples = ws.samples().expect("samples");
    for name in ws.email_names() {
        let entry = ws.email(&name).expect("demo email");
        for (sample, data) in &samples {
            let rendered = ws.render(&entry, data).expect("demo email renders");
            out.push((format!("{name} as {sample}"), rendered.html));
        }
    }
    for dir in std::fs::read_dir(root().join("blocks")).expect("blocks/") {
        let kind = dir.expect("entry").file_name().to_string_lossy().into_owned();
        let document = json!({
            "schema_version": 1, "name": kind, "subject": "Block alone", "preheader": "One block with its defaults",
            "settings": {}, "blocks": [{"id": "b1", "type": kind}]
        });
        let entry = EmailEntry {
            name: format!("block-{kind}"),
            path: PathBuf::from(format!("block-{kind}.email.json")),
            document: serde_json::from_value(document).expect("document"),
        };
        let rendered = ws.render(&entry, &json!({})).expect("a built-in block renders alone");
        out.push((format!("block {kind}"), rendered.html));
    }
    let mut corpus: Vec<PathBuf> = std::fs::read_dir(root().join("tests/qa/corpus"))
        .expect("tests/qa/corpus")
        .map(|e| e.expect("entry").path())
        .collect();
    corpus.sort();
    for path in corpus {
        let html = std::fs::read_to_string(&path).expect("corpus file");
        out.push((
            format!("corpus {}", path.file_stem().unwrap_or_default().to_string_lossy()),
            html,
        ));
    }
    out
}

fn ours(html: &str) -> BTreeSet<Triple> {
    let report = tessera_qa::check(
        &Input {
            html,
            ..Input::default()
        },
        &Options::default(),
    );
    let by_slug: BTreeMap<String, String> = data()
        .data
        .iter()
        .map(|f| (format!("support:{}", f.slug), f.title.clone()))
        .collect();
    let mut out = BTreeSet::new();
    for f in report.findings.iter().filter(|f| f.category == Category::Support) {
        let title = by_slug.get(&f.rule).cloned().unwrap_or_default();
        let level = if f.level == Level::Error { "error" } else { "warning" };
        for c in &f.clients {
            out.insert((title.clone(), c.clone(), level.to_owned()));
        }
    }
    out
}

fn npm(emails: &[(String, String)]) -> Vec<BTreeSet<Triple>> {
    let dir = root().join("tests/esp");
    assert!(
        root().join("node_modules/caniemail").is_dir() || dir.join("node_modules/caniemail").is_dir(),
        "the caniemail npm package is not installed: run scripts/test.sh (or `npm ci` in {})",
        root().display()
    );
    let input = json!({
        "clients": tessera_qa::DEFAULT_CLIENTS,
        "emails": emails.iter().map(|(n, h)| json!({"name": n, "html": h})).collect::<Vec<_>>(),
    });
    let mut child = Command::new("node")
        .arg(dir.join("caniemail-check.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (scripts/test.sh installs it)");
    let mut stdin = child.stdin.take().expect("stdin");
    let payload = serde_json::to_vec(&input).expect("json");
    let writer = std::thread::spawn(move || stdin.write_all(&payload));
    let out = child.wait_with_output().expect("node finishes");
    writer.join().expect("writer").expect("write to node");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("the checker prints JSON");
    results
        .iter()
        .map(|r| {
            r["pairs"]
                .as_array()
                .expect("pairs")
                .iter()
                .map(|p| {
                    let s = |i: usize| p[i].as_str().expect("string").to_owned();
                    (s(0), s(1), s(2))
                })
                .collect()
        })
        .collect()
}

/// What the HTML holds, for the explanations.
#[derive(Default)]
struct Facts {
    tags: BTreeSet<String>,
    /// Properties declared in style attributes and in style rules outside at-rules.
    top_properties: BTreeSet<String>,
    /// Every property declared anywhere.
    properties: BTreeSet<String>,
    /// Style rule selectors outside at-rules.
    top_selectors: Vec<String>,
    /// Titles our CSS walk finds outside at-rules (style attributes and top-level rules).
    top_titles: BTreeSet<String>,
    conditional_comments: bool,
    plain_comments: bool,
}

fn facts(html: &str) -> Facts {
    let mut f = Facts::default();
    let m = markup::parse(html);
    let mut in_style = false;
    let title = |id: usize| data().data.get(id).map(|d| d.title.clone()).unwrap_or_default();
    for ev in &m.events {
        match &ev.event {
            Event::Start { name, attrs, .. } => {
                in_style = name == "style";
                f.tags.insert(name.clone());
                if let Some(style) = markup::attr(attrs, "style") {
                    let walk = tessera_qa::css::style_attribute(style);
                    for found in &walk.found {
                        f.top_titles.insert(title(found.feature));
                    }
                    for (p, _) in tessera_qa::a11y::declarations(style) {
                        f.top_properties.insert(p.clone());
                        f.properties.insert(p);
                    }
                }
            }
            Event::Text(css) if in_style => {
                let walk = tessera_qa::css::stylesheet(css);
                for rule in &walk.rules {
                    for (p, _) in &rule.declarations {
                        f.properties.insert(p.clone());
                        if rule.media.is_empty() {
                            f.top_properties.insert(p.clone());
                        }
                    }
                    if rule.media.is_empty() {
                        f.top_selectors.push(rule.selector.clone());
                    }
                }
                let top_selectors: BTreeSet<&String> = walk
                    .rules
                    .iter()
                    .filter(|r| r.media.is_empty())
                    .map(|r| &r.selector)
                    .collect();
                for found in &walk.found {
                    // At-rules themselves are matched at the top level by both checkers.
                    if found.selector.is_empty() && !found.what.starts_with('@') && found.what != "/* comment */" {
                        continue;
                    }
                    if found.selector.is_empty() || top_selectors.contains(&found.selector) {
                        f.top_titles.insert(title(found.feature));
                    }
                }
            }
            Event::Comment { conditional, .. } => {
                if *conditional {
                    f.conditional_comments = true;
                } else {
                    f.plain_comments = true;
                }
            }
            _ => in_style = false,
        }
    }
    f
}

/// The support npm's checker reads: the version key that sorts last as a string.
fn npm_support(title: &str, client: &str) -> Option<Support> {
    let feature = data().data.iter().find(|f| f.title == title)?;
    let (family, platform) = client.split_once('.')?;
    let versions = &feature.stats.get(family)?.get(platform)?.0;
    let (_, status) = versions.iter().max_by(|a, b| a.0.cmp(&b.0))?;
    Some(parse_status(status).0)
}

fn ours_support(title: &str, client: &str) -> Option<Support> {
    let feature = data().data.iter().find(|f| f.title == title)?;
    let (family, platform) = client.split_once('.')?;
    feature.support(family, platform).map(|s| s.0)
}

/// Titles the npm checker derives wrongly from their wording, so it never matches what they
/// name (or matches only the first name of a list); Tessera matches each name listed.
const NPM_TITLE_PARSING: &[&str] = &[
    "@media (prefers-color-scheme)",
    "@media (orientation)",
    "@media (prefers-reduced-motion)",
    "@media (hover), @media (any-hover)",
    "@media (-webkit-device-pixel-ratio)",
    "HTML5 doctype",
    "HTML5 semantics",
    "<h1> to <h6> elements",
    "<ul>, <ol> and <dl>",
    "lch(), oklch(), lab(), oklab()",
    "Embedded <svg> image",
    "Base 64 image format",
    "lang()",
    ":has()",
];

/// The property names a title is about.
fn property_names(title: &str) -> Vec<String> {
    let Some(id) = data().data.iter().position(|f| f.title == title) else {
        return Vec::new();
    };
    tessera_qa::features::index()
        .properties
        .iter()
        .filter(|(_, ids)| ids.contains(&id))
        .map(|(name, _)| name.clone())
        .collect()
}

fn is_function_title(title: &str) -> bool {
    let Some(id) = data().data.iter().position(|f| f.title == title) else {
        return false;
    };
    tessera_qa::features::index()
        .functions
        .values()
        .any(|ids| ids.contains(&id))
}

/// Why a triple is only on one side, or `None` when nothing explains it.
fn explain(t: &Triple, ours_only: bool, facts: &Facts) -> Option<&'static str> {
    let (title, client, _) = t;
    // 1. Latest version: npm sorts version keys as strings ("2023" after "16.80"); Tessera takes the
    // last version caniemail lists (oldest first).
    if npm_support(title, client) != ours_support(title, client) {
        return Some("npm takes the version key that sorts last as a string, not the latest tested");
    }
    if !ours_only && matches!(npm_support(title, client), None | Some(Support::Unknown)) {
        return Some("npm reports support caniemail has not tested (u) as partial");
    }
    if NPM_TITLE_PARSING.contains(&title.as_str()) {
        return Some("npm derives no matcher (or one for the first name only) from this title's wording");
    }
    if ours_only {
        // 2. npm checks only top-level style rules, never those inside @media or @supports.
        if !facts.top_titles.contains(title) {
            return Some("npm does not look inside @media/@supports blocks");
        }
        // 3. npm compares function names with feature titles ("CSS calc() function"), so it never
        // matches a function.
        if is_function_title(title) {
            return Some("npm never matches CSS functions (it compares names with titles)");
        }
        // 4. npm checks each selector of a list on its own, so it never sees a list.
        if title == "Grouping selectors" {
            return Some("npm checks the selectors of a list one by one, so never sees grouping");
        }
        // 5. CSS variables declared as custom properties (npm only sees var()).
        if title == "CSS Variables (Custom Properties)" && facts.properties.iter().any(|p| p.starts_with("--")) {
            return Some("npm does not count custom property declarations (--x) as CSS variables");
        }
        return None;
    }
    // npm-only.
    // 5. Outlook conditional comments are the safe way to address Outlook.
    if title == "HTML comments" && facts.conditional_comments && !facts.plain_comments {
        return Some("Tessera does not flag Outlook conditional comments");
    }
    // 6. npm matches tag names by substring: <span> and <pre> count as <p>, <tbody> as <body>.
    if let Some(tag) = title.strip_prefix('<').and_then(|r| r.split('>').next()) {
        if !facts.tags.contains(tag) && facts.tags.iter().any(|t| t.contains(tag)) {
            return Some("npm matches element names by substring (span contains p, tbody contains body)");
        }
    }
    // 7. npm counts a longhand as its shorthand (font-size as `font shorthand`, background-color as
    // `background`, border-inline-start as `border-inline & border-block`) even when the longhand
    // has a title of its own.
    let names = property_names(title);
    if facts
        .top_properties
        .iter()
        .any(|p| !names.contains(p) && names.iter().any(|n| p.starts_with(&format!("{n}-"))))
    {
        return Some("npm counts a longhand with its own title as the shorthand too");
    }
    // 8. npm counts two classes anywhere in a selector as chaining (`.a .b`), not on one element.
    if title == "Chaining selectors" {
        return Some("npm counts classes on different elements of a selector as chaining");
    }
    None
}

#[test]
fn tessera_and_the_caniemail_npm_checker_find_the_same_support_issues() {
    let emails = emails();
    assert!(emails.iter().filter(|(n, _)| n.starts_with("corpus ")).count() >= 20);
    let theirs = npm(&emails);
    assert_eq!(theirs.len(), emails.len());
    let mut unexplained = Vec::new();
    let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut agreed = 0usize;
    for ((name, html), npm_set) in emails.iter().zip(&theirs) {
        let our_set = ours(html);
        let facts = facts(html);
        agreed += our_set.intersection(npm_set).count();
        for (side, only) in [
            (true, our_set.difference(npm_set)),
            (false, npm_set.difference(&our_set)),
        ] {
            for t in only {
                match explain(t, side, &facts) {
                    Some(reason) => *reasons.entry(reason).or_default() += 1,
                    None => unexplained.push(format!("{name}: {} {t:?} only", if side { "Tessera" } else { "npm" })),
                }
            }
        }
    }
    eprintln!(
        "{} emails, {agreed} triples found by both; explained differences:",
        emails.len()
    );
    for (reason, n) in &reasons {
        eprintln!("  {n:5}  {reason}");
    }
    assert!(agreed > 1000, "{agreed}");
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}

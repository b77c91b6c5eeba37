//! Client support: every feature the email uses (elements, attributes, image formats, comments,
//! the doctype, and all CSS of style sheets and style attributes), looked up in the caniemail data
//! for each client checked. Unsupported is an error, partial support a warning with caniemail's
//! notes. Outlook's conditional comments are the known-safe way to talk to Outlook: neither they
//! nor the markup inside them are flagged.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use crate::clients::{all_clients, family_name, Client};
use crate::css::{self, scan_selector};
use crate::data::{data, Support};
use crate::features::{index, FeatureId};
use crate::markup::{Event, Markup};
use crate::{BlockFields, Category, FamilySummary, Finding, Level};

/// A feature the email uses in one block: where first, and what matched there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The feature.
    pub feature: FeatureId,
    /// The block it is in.
    pub block: Option<String>,
    /// 1-based line of its first use in the block.
    pub line: u32,
    /// What matched there, as written.
    pub what: String,
}

/// Collects uses, one per (feature, block), keeping the first.
struct Uses<'m> {
    markup: &'m Markup,
    seen: HashMap<(FeatureId, Option<usize>), usize>,
    list: Vec<(FeatureId, Option<usize>, u32, String)>,
}

impl Uses<'_> {
    fn add(&mut self, ids: &[FeatureId], block: Option<usize>, line: u32, what: &str) {
        self.add_with(ids, block, line, || what.to_owned());
    }

    /// As [`Uses::add`], with `what` written only when a use is new (most are repeats).
    fn add_with(&mut self, ids: &[FeatureId], block: Option<usize>, line: u32, what: impl Fn() -> String) {
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(e) = self.seen.entry((*id, block)) {
                e.insert(self.list.len());
                self.list.push((*id, block, line, what()));
            }
        }
    }
}

/// Every feature the markup uses, once per block, in order of first use.
#[must_use]
pub fn uses(markup: &Markup, blocks: &[BlockFields]) -> Vec<Use> {
    let ix = index();
    let mut out = Uses {
        markup,
        seen: HashMap::new(),
        list: Vec::new(),
    };
    let mut in_style = false;
    let mut styles: HashMap<&str, Vec<css::Found>> = HashMap::new();
    for ev in &markup.events {
        let block = ev.block;
        match &ev.event {
            Event::Doctype(name) if name.eq_ignore_ascii_case("html") => {
                out.add(&ix.doctype, block, ev.line, "<!DOCTYPE html>");
            }
            Event::Doctype(_) | Event::End(_) => in_style = false,
            Event::Comment { conditional, .. } => {
                if !conditional {
                    out.add(&ix.html_comments, block, ev.line, "<!-- -->");
                }
            }
            Event::Text(text) => {
                if in_style {
                    let walk = css::stylesheet(text);
                    let mut owners: HashMap<String, Option<usize>> = HashMap::new();
                    for f in walk.found {
                        let owner = block.or_else(|| {
                            *owners.entry(f.selector.clone()).or_insert_with(|| {
                                let id = block_of_selector(&f.selector, blocks)?;
                                out.markup.blocks.iter().position(|b| *b == id)
                            })
                        });
                        out.add(&[f.feature], owner, ev.line + f.line, &f.what);
                    }
                }
            }
            Event::Start { name, attrs, .. } => {
                in_style = name == "style";
                if let Some(ids) = ix.elements.get(name.as_str()) {
                    out.add_with(ids, block, ev.line, || format!("<{name}>"));
                }
                for (attr, value) in attrs {
                    if let Some(ids) = ix.attributes.get(attr.as_str()) {
                        out.add_with(ids, block, ev.line, || format!("{attr}=\"{value}\""));
                    }
                }
                for (ea, id) in &ix.element_attributes {
                    if ea.element == name && attrs.iter().any(|(a, v)| *a == ea.attribute && ea.value.matches(v)) {
                        out.add_with(&[*id], block, ev.line, || format!("<{name}>"));
                    }
                }
                for (attr, value) in attrs {
                    let urls: Vec<&str> = match attr.as_str() {
                        "src" if name == "img" => vec![value.as_str()],
                        "srcset" => value
                            .split(',')
                            .filter_map(|c| c.split_whitespace().next())
                            .filter(|u| !u.is_empty())
                            .collect(),
                        _ => continue,
                    };
                    for url in urls {
                        out.add(&css::image_features(url), block, ev.line, url);
                    }
                }
                if let Some(style) = attrs.iter().find(|(a, _)| a == "style").map(|(_, v)| v.as_str()) {
                    // Repeated elements repeat their style attribute: walk each one once.
                    let found = styles.entry(style).or_insert_with(|| css::style_attribute(style).found);
                    for f in found.iter() {
                        out.add(&[f.feature], block, ev.line, &f.what);
                    }
                }
            }
        }
    }
    out.list
        .into_iter()
        .map(|(feature, block, line, what)| Use {
            feature,
            block: block.and_then(|b| markup.blocks.get(b)).cloned(),
            line,
            what,
        })
        .collect()
}

/// The block a head style rule belongs to: the first block whose type's class (`.t-<type>`) the
/// selector names.
fn block_of_selector(selector: &str, blocks: &[BlockFields]) -> Option<String> {
    if selector.is_empty() {
        return None;
    }
    let scan = scan_selector(selector);
    let classes: Vec<&String> = scan.compounds.iter().flat_map(|c| &c.1).collect();
    blocks
        .iter()
        .find(|b| {
            let class = format!("t-{}", b.kind);
            classes
                .iter()
                .any(|c| **c == class || c.starts_with(&format!("{class}__")))
        })
        .map(|b| b.block.clone())
}

/// A client's support of a feature with caniemail's notes, each prefixed by the client's key
/// (`outlook.windows: ...`).
type ClientSupport = (Support, Vec<String>);

/// A feature's support in every client the data knows (by index in [`all_clients`]), computed
/// once per feature for the life of the process: the data is fixed, and the same few hundred
/// features come back in every check.
fn support_row(feature: FeatureId) -> Option<&'static [Option<ClientSupport>]> {
    type Row = Vec<Option<ClientSupport>>;
    static ROWS: OnceLock<Vec<OnceLock<Row>>> = OnceLock::new();
    let features = &data().data;
    let rows = ROWS.get_or_init(|| features.iter().map(|_| OnceLock::new()).collect());
    let f = features.get(feature)?;
    let row = rows.get(feature)?.get_or_init(|| {
        all_clients()
            .iter()
            .map(|c| {
                let (support, notes) = f.support(&c.family, &c.platform)?;
                let key = c.key();
                Some((support, notes.iter().map(|note| format!("{key}: {note}")).collect()))
            })
            .collect()
    });
    Some(row)
}

/// Checks client support; adds findings and returns the per-family tally.
pub fn check(
    markup: &Markup,
    blocks: &[BlockFields],
    clients: &[Client],
    findings: &mut Vec<Finding>,
) -> Vec<FamilySummary> {
    let all = uses(markup, blocks);
    let features = &data().data;
    let keys: Vec<String> = clients.iter().map(Client::key).collect();
    let displays: Vec<String> = clients.iter().map(Client::display).collect();
    // Where each client checked is in the data's client list (the support rows' index).
    let known = all_clients();
    let columns: Vec<Option<usize>> = clients.iter().map(|c| known.binary_search(c).ok()).collect();
    let support_of = |feature: FeatureId, i: usize| -> Option<&'static ClientSupport> {
        let column = (*columns.get(i)?)?;
        support_row(feature)?.get(column)?.as_ref()
    };
    // The worst support per (feature, family), over the distinct features used.
    let mut worst: BTreeMap<(FeatureId, &str), Support> = BTreeMap::new();
    let distinct: BTreeSet<FeatureId> = all.iter().map(|u| u.feature).collect();
    for &feature in &distinct {
        for (i, client) in clients.iter().enumerate() {
            let Some((support, _)) = support_of(feature, i) else {
                continue;
            };
            let w = worst
                .entry((feature, client.family.as_str()))
                .or_insert(Support::Unknown);
            if rank(*support) > rank(*w) {
                *w = *support;
            }
        }
    }
    // (use, level) → finding with the indexes of its clients.
    let mut grouped: BTreeMap<(usize, Level), (Finding, Vec<usize>)> = BTreeMap::new();
    for (n, u) in all.iter().enumerate() {
        let Some(feature) = features.get(u.feature) else {
            continue;
        };
        for i in 0..clients.len() {
            let Some((support, notes)) = support_of(u.feature, i) else {
                continue;
            };
            let level = match support {
                Support::None => Level::Error,
                Support::Partial => Level::Warning,
                Support::Full | Support::Unknown => continue,
            };
            let (f, members) = grouped.entry((n, level)).or_insert_with(|| {
                let mut f = Finding::new(&format!("support:{}", feature.slug), Category::Support, level, "")
                    .at(u.block.as_deref(), u.line)
                    .about(u.what.clone());
                f.url = (!feature.url.is_empty()).then(|| feature.url.clone());
                (f, Vec::new())
            });
            f.notes.extend(notes.iter().cloned());
            members.push(i);
        }
    }
    for ((n, level), (mut f, members)) in grouped {
        let id = all.get(n).map_or(0, |u| u.feature);
        let title = features.get(id).map_or("", |x| x.title.as_str());
        f.clients = members.iter().filter_map(|i| keys.get(*i).cloned()).collect();
        let names: Vec<&str> = members
            .iter()
            .filter_map(|i| displays.get(*i).map(String::as_str))
            .collect();
        f.message = if level == Level::Error {
            format!("`{title}` is not supported by {}", names.join(", "))
        } else {
            format!("`{title}` is only partly supported by {}", names.join(", "))
        };
        findings.push(f);
    }
    let mut families: Vec<FamilySummary> = Vec::new();
    for client in clients {
        if families.iter().any(|f| f.family == client.family) {
            continue;
        }
        let members: Vec<String> = clients
            .iter()
            .filter(|c| c.family == client.family)
            .map(Client::key)
            .collect();
        let mut summary = FamilySummary {
            family: client.family.clone(),
            name: family_name(&client.family),
            clients: members,
            green: 0,
            amber: 0,
            red: 0,
        };
        for ((_, family), support) in &worst {
            if *family != client.family {
                continue;
            }
            match support {
                Support::Full => summary.green += 1,
                Support::Partial => summary.amber += 1,
                Support::None => summary.red += 1,
                Support::Unknown => {}
            }
        }
        families.push(summary);
    }
    families
}

fn rank(s: Support) -> u8 {
    match s {
        Support::Unknown => 0,
        Support::Full => 1,
        Support::Partial => 2,
        Support::None => 3,
    }
}

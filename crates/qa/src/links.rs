//! Links: unsafe schemes, plain http, empty, `#` and placeholder hrefs, a missing unsubscribe link
//! and one-click headers, tracking parameters that differ between the email's links, and link text
//! that names another domain than the link goes to.

use std::collections::{BTreeMap, BTreeSet};

use crate::markup::{attr, Event, Markup};
use crate::{Category, Finding, Level};

/// A link of the email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The href as written.
    pub href: String,
    /// Its text (and image alt texts).
    pub text: String,
    /// The block it is in.
    pub block: Option<String>,
    /// 1-based line.
    pub line: u32,
}

/// Every `<a href>` with its text, in document order.
#[must_use]
pub fn links(markup: &Markup) -> Vec<Link> {
    let mut out: Vec<Link> = Vec::new();
    let mut open: Option<Link> = None;
    for ev in &markup.events {
        match &ev.event {
            Event::Start { name, attrs, .. } if name == "a" => {
                if let Some(l) = open.take() {
                    out.push(l);
                }
                open = attr(attrs, "href").map(|h| Link {
                    href: h.trim().to_owned(),
                    text: String::new(),
                    block: markup.block_of(ev).map(str::to_owned),
                    line: ev.line,
                });
            }
            Event::Start { name, attrs, .. } if name == "img" => {
                if let (Some(l), Some(alt)) = (open.as_mut(), attr(attrs, "alt")) {
                    l.text.push(' ');
                    l.text.push_str(alt);
                }
            }
            Event::Text(t) => {
                if let Some(l) = open.as_mut() {
                    l.text.push_str(t);
                }
            }
            Event::End(name) if name == "a" => {
                if let Some(l) = open.take() {
                    out.push(l);
                }
            }
            _ => {}
        }
    }
    out.extend(open);
    for l in &mut out {
        l.text = l.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    out
}

/// The host of an http(s) URL, lower case, without `www.`.
#[must_use]
pub fn host(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    Some(host.trim_start_matches("www.").to_owned())
}

/// `a.b.example.com` → `example.com` (the last two labels; good enough to compare brands).
fn site(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    labels
        .get(n.saturating_sub(2)..)
        .map(|l| l.join("."))
        .unwrap_or_default()
}

/// The query parameters of a URL.
fn params(url: &str) -> Vec<(String, String)> {
    let Some((_, query)) = url.split_once('?') else {
        return Vec::new();
    };
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (!k.is_empty()).then(|| (k.to_ascii_lowercase(), v.to_owned()))
        })
        .collect()
}

fn is_unsubscribe(link: &Link) -> bool {
    let words = [
        "unsubscribe",
        "opt-out",
        "opt out",
        "optout",
        "abmelden",
        "désabonner",
        "desuscribir",
        "preferences",
    ];
    let text = format!("{} {}", link.text, link.href).to_lowercase();
    words.iter().any(|w| text.contains(w))
}

/// A domain-looking word in link text (`northwind.example`, `www.shop.com`).
fn named_domain(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"' | ',' | '!'))
        .map(|w| w.trim_end_matches(['.', ':', ';', '/']))
        .map(|w| {
            w.trim_start_matches("https://")
                .trim_start_matches("http://")
                .split('/')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        })
        .find(|w| {
            let labels: Vec<&str> = w.split('.').collect();
            labels.len() >= 2
                && labels
                    .iter()
                    .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                && labels
                    .last()
                    .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
        })
        .map(|w| w.trim_start_matches("www.").to_owned())
}

fn finding(rule: &str, level: Level, message: String, link: &Link) -> Finding {
    Finding::new(rule, Category::Links, level, message)
        .at(link.block.as_deref(), link.line)
        .about(link.href.clone())
}

/// Runs the link checks. `list_unsubscribe`: whether sends carry one-click unsubscribe headers
/// (`None`: not known, not checked).
pub fn check(markup: &Markup, list_unsubscribe: Option<bool>, findings: &mut Vec<Finding>) {
    let all = links(markup);
    for l in &all {
        let lower = l.href.to_ascii_lowercase();
        let scheme = lower.split(':').next().unwrap_or_default();
        if lower.contains(':') && matches!(scheme, "javascript" | "vbscript" | "data" | "file") {
            findings.push(finding(
                "link:unsafe-scheme",
                Level::Error,
                format!("a link uses the {scheme}: scheme, which clients block or strip"),
                l,
            ));
        } else if lower.is_empty() || lower == "#" {
            findings.push(finding(
                "link:empty",
                Level::Error,
                format!("the link \"{}\" goes nowhere (empty or # href)", l.text),
                l,
            ));
        } else if [
            "{{",
            "}}",
            "[[",
            "]]",
            "*|",
            "|*",
            "%%",
            "{url}",
            "example.com",
            "example.org",
            "example.net",
            "yourdomain",
            "todo",
        ]
        .iter()
        .any(|p| lower.contains(p))
        {
            findings.push(finding(
                "link:placeholder",
                Level::Error,
                format!("the link \"{}\" still points to a placeholder ({})", l.text, l.href),
                l,
            ));
        } else if lower.starts_with("http://") {
            findings.push(finding(
                "link:http",
                Level::Warning,
                format!(
                    "the link \"{}\" uses http, not https: some clients warn, and the click is readable on the way",
                    l.text
                ),
                l,
            ));
        }
        if let (Some(named), Some(real)) = (named_domain(&l.text), host(&l.href)) {
            if site(&named) != site(&real) {
                findings.push(finding(
                    "link:deceptive",
                    Level::Error,
                    format!(
                        "the link text names {named} but the link goes to {real}: spam filters and readers distrust it"
                    ),
                    l,
                ));
            }
        }
    }
    if !all.iter().any(is_unsubscribe) {
        findings.push(Finding::new(
            "link:unsubscribe",
            Category::Links,
            Level::Error,
            "the email has no unsubscribe link: marketing email needs one (CAN-SPAM, GDPR, Gmail and Yahoo sender rules)",
        ));
    }
    if list_unsubscribe == Some(false) {
        findings.push(Finding::new(
            "link:one-click",
            Category::Links,
            Level::Error,
            "sends carry no one-click List-Unsubscribe headers (set [send] unsubscribe_url): Gmail and Yahoo require them of bulk senders",
        ));
    }
    tracking(&all, findings);
}

/// Tracking parameters (`utm_*`) that differ between links that carry them.
fn tracking(all: &[Link], findings: &mut Vec<Finding>) {
    let tracked: Vec<(&Link, BTreeMap<String, String>)> = all
        .iter()
        .filter(|l| host(&l.href).is_some())
        .map(|l| {
            let utm: BTreeMap<String, String> = params(&l.href)
                .into_iter()
                .filter(|(k, _)| k.starts_with("utm_"))
                .collect();
            (l, utm)
        })
        .filter(|(_, utm)| !utm.is_empty())
        .collect();
    if tracked.len() < 2 {
        return;
    }
    // The keys every tracked link should share, and their usual value (utm_content varies by design).
    let keys: BTreeSet<&String> = tracked.iter().flat_map(|(_, u)| u.keys()).collect();
    for key in keys {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, utm) in &tracked {
            *counts.entry(utm.get(key).map_or("", String::as_str)).or_default() += 1;
        }
        let Some((usual, _)) = counts.iter().filter(|(v, _)| !v.is_empty()).max_by_key(|(_, n)| **n) else {
            continue;
        };
        for (l, utm) in &tracked {
            let value = utm.get(key).map_or("", String::as_str);
            if value.is_empty() {
                findings.push(finding(
                    "link:tracking",
                    Level::Warning,
                    format!(
                        "the link \"{}\" has tracking parameters but no {key} (the other links have {key}={usual})",
                        l.text
                    ),
                    l,
                ));
            } else if key != "utm_content" && key != "utm_term" && value != *usual {
                findings.push(finding(
                    "link:tracking",
                    Level::Warning,
                    format!(
                        "the link \"{}\" has {key}={value} where the email's other links have {key}={usual}",
                        l.text
                    ),
                    l,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_named_domains() {
        assert_eq!(host("https://www.Shop.example/a?b").as_deref(), Some("shop.example"));
        assert_eq!(host("mailto:x@y"), None);
        assert_eq!(named_domain("Visit paypal.com now").as_deref(), Some("paypal.com"));
        assert_eq!(named_domain("Shop the sale"), None);
        assert_eq!(named_domain("Price 9.99"), None);
    }
}

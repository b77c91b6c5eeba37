//! CSS as AMP for Email accepts it (`data-css-strict`): no `!important`, no vendor or Outlook
//! properties (`mso-*`, `-ms-*`, `-webkit-*`, `-moz-*`), for style attributes and `<style amp-custom>`.

/// Property prefixes the strict CSS of AMP for Email refuses.
const REFUSED_PREFIXES: [&str; 5] = ["mso-", "-ms-", "-webkit-", "-moz-", "-apple-"];

fn refused(property: &str) -> bool {
    let p = property.trim().as_bytes();
    REFUSED_PREFIXES.iter().any(|prefix| {
        p.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    })
}

/// Appends one declaration's value with `!important` dropped.
fn push_without_important(out: &mut String, value: &str) {
    // `!important` is ASCII: its byte offset is the same in the lower-cased text.
    let at = value
        .as_bytes()
        .windows(10)
        .position(|w| w.eq_ignore_ascii_case(b"!important"));
    match at {
        Some(at) => {
            out.push_str(value[..at].trim_end());
            out.push_str(&value[at + "!important".len()..]);
        }
        None => out.push_str(value),
    }
}

/// A `style` attribute's declarations with the refused ones left out.
#[must_use]
pub fn style_attribute(style: &str) -> String {
    declarations(style)
}

/// Declarations (`a: b; c: d`) kept as AMP accepts them, joined with `;`.
fn declarations(block: &str) -> String {
    let mut out = String::with_capacity(block.len());
    let mut value = String::new();
    for declaration in block.split(';') {
        let Some((property, raw)) = declaration.split_once(':') else {
            continue;
        };
        if refused(property) {
            continue;
        }
        value.clear();
        push_without_important(&mut value, raw);
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(property.trim());
        out.push(':');
        out.push_str(value.trim());
    }
    out
}

/// A style sheet (the head's `@media` rules) with every rule's declarations filtered, the
/// `@media` blocks on a feature AMP refuses (`prefers-color-scheme`: dark mode stays the
/// client's) left out, and the rules whose selector has an attribute selector (which AMP's strict
/// CSS refuses; Outlook.com's `[data-ogsc]` dark forms, Apple's `[x-apple-data-detectors]`: for
/// clients that do not show the AMP part) left out.
#[must_use]
pub fn style_sheet(css: &str) -> String {
    filter_rules(&without_attribute_selector_rules(&without_refused_media(css)))
}

/// `css` without the rules whose selector holds an attribute selector (`[...]`); at-rules' blocks
/// are kept, with such rules inside them left out.
fn without_attribute_selector_rules(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let head = &rest[..open];
        // What precedes the selector (the end of an enclosing block) is always kept.
        let start = head.rfind('}').map_or(0, |i| i + 1);
        out.push_str(&head[..start]);
        let selector = &head[start..];
        let after = &rest[open + 1..];
        let stop = after.find(['{', '}']).unwrap_or(after.len());
        if after[stop..].starts_with('{') {
            // An at-rule (`@media ... {`): keep its header and look inside.
            out.push_str(selector);
            out.push('{');
            rest = after;
            continue;
        }
        let end = (stop + 1).min(after.len());
        if !selector.contains('[') {
            out.push_str(selector);
            out.push('{');
            out.push_str(&after[..end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `css` without the top-level `@media` blocks whose query names `prefers-color-scheme`.
fn without_refused_media(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("@media") {
        out.push_str(&rest[..at]);
        let block = &rest[at..];
        let Some(open) = block.find('{') else {
            out.push_str(block);
            return out;
        };
        // The block ends where its braces balance.
        let mut depth = 0usize;
        let mut end = block.len();
        for (i, c) in block.char_indices().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        if !block[..open].to_ascii_lowercase().contains("prefers-color-scheme") {
            out.push_str(&block[..end]);
        }
        rest = &block[end..];
    }
    out.push_str(rest);
    out
}

fn filter_rules(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    // Declarations sit between a `{` and the next `}` that has no `{` before it.
    while let Some(open) = rest.find('{') {
        let (head, tail) = rest.split_at(open + 1);
        out.push_str(head);
        let close = tail.find('}').unwrap_or(tail.len());
        let nested = tail.find('{').is_some_and(|n| n < close);
        if nested {
            rest = tail;
            continue;
        }
        out.push_str(&declarations(&tail[..close]));
        rest = &tail[close..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_properties_and_important_are_left_out() {
        assert_eq!(
            style_attribute("padding: 4px; mso-padding-alt: 1px;-ms-interpolation-mode:bicubic; color: red !important"),
            "padding:4px;color:red"
        );
        assert_eq!(
            style_sheet(
                "@media (max-width: 620px) {\n.a .b { padding: 4px !important; -webkit-text-size-adjust: none; }\n}"
            ),
            "@media (max-width: 620px) {\n.a .b {padding:4px}\n}"
        );
        assert_eq!(
            style_sheet("@media (prefers-color-scheme: dark) {\n.a { color: #fff; }\n.b { color: #000; }\n} @media (max-width: 1px) {\n.c { color: red; }\n}"),
            " @media (max-width: 1px) {\n.c {color:red}\n}"
        );
    }

    #[test]
    fn rules_with_attribute_selectors_are_left_out_and_blocks_stay_balanced() {
        assert_eq!(
            style_sheet("[data-ogsc] .t { color: #fff; }\n.a { color: red; }\n@media (max-width: 480px) {\n.b [x-apple-data-detectors] { color: inherit; }\n.c { padding: 0; }\n}\n.d[data-x] { margin: 0; }"),
            "\n.a {color:red}\n@media (max-width: 480px) {\n.c {padding:0}\n}"
        );
    }
}

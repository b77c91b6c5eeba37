//! CSS as AMP for Email accepts it (`data-css-strict`): no `!important`, no vendor or Outlook
//! properties (`mso-*`, `-ms-*`, `-webkit-*`, `-moz-*`), for style attributes and `<style amp-custom>`.

/// Property prefixes the strict CSS of AMP for Email refuses.
const REFUSED_PREFIXES: [&str; 5] = ["mso-", "-ms-", "-webkit-", "-moz-", "-apple-"];

fn refused(property: &str) -> bool {
    let p = property.trim().to_ascii_lowercase();
    REFUSED_PREFIXES.iter().any(|prefix| p.starts_with(prefix))
}

/// Drops `!important` from one declaration's value.
fn without_important(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    match lower.find("!important") {
        Some(at) => format!("{}{}", value[..at].trim_end(), &value[at + "!important".len()..]),
        None => value.to_owned(),
    }
}

/// A `style` attribute's declarations with the refused ones left out.
#[must_use]
pub fn style_attribute(style: &str) -> String {
    declarations(style)
}

/// Declarations (`a: b; c: d`) kept as AMP accepts them, joined with `;`.
fn declarations(block: &str) -> String {
    let mut out = Vec::new();
    for declaration in block.split(';') {
        let Some((property, value)) = declaration.split_once(':') else {
            continue;
        };
        if refused(property) {
            continue;
        }
        out.push(format!("{}:{}", property.trim(), without_important(value).trim()));
    }
    out.join(";")
}

/// A style sheet (the head's `@media` rules) with every rule's declarations filtered and the
/// `@media` blocks on a feature AMP refuses (`prefers-color-scheme`: dark mode stays the
/// client's) left out.
#[must_use]
pub fn style_sheet(css: &str) -> String {
    filter_rules(&without_refused_media(css))
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
}

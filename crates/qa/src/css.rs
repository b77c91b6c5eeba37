//! CSS as the QA reads it: style sheets and style attributes walked with cssparser's tokenizer
//! (the one css-inline uses), every property, value keyword, function, unit, at-rule, media
//! feature, selector kind, pseudo-class and comment matched against the caniemail index; and the
//! rules of `@media (prefers-color-scheme: dark)`, which the contrast check applies.

use cssparser::{ParseError, Parser, Token};

use crate::features::{index, FeatureId, SelectorKind};

/// A feature found in CSS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The feature.
    pub feature: FeatureId,
    /// 0-based line within the CSS text.
    pub line: u32,
    /// What matched, as written (`display: flex`, `@media`, `:hover`).
    pub what: String,
    /// The selector of the style rule it is in (empty outside style rules).
    pub selector: String,
}

/// A style rule of a style sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The `@media` preludes around it, joined.
    pub media: String,
    /// The selector list as written.
    pub selector: String,
    /// Its declarations, property lower case.
    pub declarations: Vec<(String, String)>,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Features.
    pub found: Vec<Found>,
    /// Style rules (with their media context).
    pub rules: Vec<Rule>,
    /// The selector of the rule being walked.
    current: String,
}

type Never = ParseError<()>;

impl Walk {
    fn hit(&mut self, ids: &[FeatureId], line: u32, what: &str) {
        for id in ids {
            self.found.push(Found {
                feature: *id,
                line,
                what: what.to_owned(),
                selector: self.current.clone(),
            });
        }
    }
}

/// Walks a style sheet (the contents of a `<style>` element).
#[must_use]
pub fn stylesheet(css: &str) -> Walk {
    let mut p = Parser::new(css);
    let mut walk = Walk::default();
    rules(&mut p, &mut walk, "");
    walk
}

/// Walks a declaration list (a `style` attribute); lines are within the attribute.
#[must_use]
pub fn style_attribute(css: &str) -> Walk {
    let mut p = Parser::new(css);
    let mut walk = Walk::default();
    declarations(&mut p, &mut walk);
    walk
}

fn rules(p: &mut Parser<'_>, walk: &mut Walk, media: &str) {
    loop {
        let start = p.position();
        let line = p.current_source_location().line;
        let token = match p.next_including_whitespace_and_comments() {
            Ok(t) => t.clone(),
            Err(_) => return,
        };
        match token {
            Token::WhiteSpace(_) | Token::CDO | Token::CDC | Token::Semicolon => {}
            Token::Comment(_) => walk.hit(&index().css_comments, line, "/* comment */"),
            Token::AtKeyword(name) => {
                let name = name.to_ascii_lowercase();
                let prelude_start = p.position();
                let has_block = skip_to_block(p);
                let prelude = p
                    .slice_from(prelude_start)
                    .trim_end_matches(['{', ';'])
                    .trim()
                    .to_owned();
                at_rule(walk, &name, &prelude, line);
                if has_block {
                    let _ = p.parse_nested_block(|p| -> Result<(), Never> {
                        match name.as_str() {
                            "media" | "supports" | "document" | "container" | "layer" => {
                                let context = if media.is_empty() {
                                    prelude.clone()
                                } else {
                                    format!("{media} and {prelude}")
                                };
                                rules(p, walk, &context);
                            }
                            "keyframes" | "-webkit-keyframes" => rules(p, &mut Walk::default(), media),
                            _ => {
                                declarations(p, walk);
                            }
                        }
                        Ok(())
                    });
                }
            }
            _ => {
                let has_block = skip_to_block(p);
                let selector = p.slice_from(start).trim_end_matches('{').trim().to_owned();
                if !has_block {
                    return;
                }
                walk.current.clone_from(&selector);
                selectors(walk, &selector, line);
                let mut decls = Vec::new();
                let _ = p.parse_nested_block(|p| -> Result<(), Never> {
                    decls = declarations(p, walk);
                    Ok(())
                });
                walk.current.clear();
                walk.rules.push(Rule {
                    media: media.to_owned(),
                    selector,
                    declarations: decls,
                });
            }
        }
    }
}

/// Consumes tokens up to and including a `{` (true) or a `;` / the end (false).
fn skip_to_block(p: &mut Parser<'_>) -> bool {
    loop {
        match p.next_including_whitespace_and_comments() {
            Ok(Token::CurlyBracketBlock) => return true,
            Ok(Token::Semicolon) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

fn at_rule(walk: &mut Walk, name: &str, prelude: &str, line: u32) {
    let ix = index();
    if let Some(ids) = ix.at_rules.get(name) {
        walk.hit(ids, line, &format!("@{name}"));
    }
    if name != "media" {
        return;
    }
    // Media features: `(prefers-color-scheme: dark)`, `(-webkit-min-device-pixel-ratio: 2)`.
    for part in prelude.split('(').skip(1) {
        let feature: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        let normalized = feature.replace("-min-", "-").replace("-max-", "-");
        let key = if normalized.starts_with("-webkit-") {
            normalized
        } else {
            feature.clone()
        };
        if let Some(ids) = ix.media_features.get(&key) {
            walk.hit(ids, line, &format!("@media ({feature})"));
        }
    }
}

/// Walks declarations until the end of the block; returns them.
fn declarations(p: &mut Parser<'_>, walk: &mut Walk) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        let line = p.current_source_location().line;
        let token = match p.next_including_whitespace_and_comments() {
            Ok(t) => t.clone(),
            Err(_) => return out,
        };
        match token {
            Token::Ident(name) => {
                let name = name.to_ascii_lowercase();
                let mut colon = false;
                while let Ok(t) = p.next_including_whitespace_and_comments() {
                    match t {
                        Token::WhiteSpace(_) | Token::Comment(_) => {}
                        Token::Colon => {
                            colon = true;
                            break;
                        }
                        _ => break,
                    }
                }
                if !colon {
                    skip_declaration(p);
                    continue;
                }
                let start = p.position();
                let mut value = Value::default();
                value_tokens(p, walk, &mut value, line, true);
                let text = p.slice_from(start).trim_end_matches(';').trim().to_owned();
                declaration(walk, &name, &text, &value, line);
                out.push((name, text));
            }
            Token::Comment(_) => walk.hit(&index().css_comments, line, "/* comment */"),
            Token::WhiteSpace(_) | Token::Semicolon => {}
            _ => skip_declaration(p),
        }
    }
}

fn skip_declaration(p: &mut Parser<'_>) {
    while let Ok(t) = p.next_including_whitespace_and_comments() {
        if matches!(t, Token::Semicolon) {
            return;
        }
    }
}

/// What a value holds.
#[derive(Debug, Default)]
struct Value {
    first_ident: Option<String>,
    important: bool,
}

fn value_tokens(p: &mut Parser<'_>, walk: &mut Walk, value: &mut Value, line: u32, top: bool) {
    let ix = index();
    let mut bang = false;
    loop {
        let token = match p.next_including_whitespace_and_comments() {
            Ok(t) => t.clone(),
            Err(_) => return,
        };
        let was_bang = bang;
        bang = matches!(token, Token::Delim('!')) || (bang && matches!(token, Token::WhiteSpace(_)));
        match token {
            Token::Semicolon if top => return,
            Token::Ident(id) => {
                let id = id.to_ascii_lowercase();
                if was_bang && id == "important" {
                    value.important = true;
                } else {
                    if top && value.first_ident.is_none() {
                        value.first_ident = Some(id.clone());
                    }
                    if let Some(ids) = ix.keywords.get(&id) {
                        walk.hit(ids, line, &id);
                    }
                }
            }
            Token::Dimension { unit, .. } => {
                let unit = unit.to_ascii_lowercase();
                if let Some(ids) = ix.units.get(&unit) {
                    walk.hit(ids, line, &unit);
                }
            }
            Token::Percentage { .. } => {
                if let Some(ids) = ix.units.get("%") {
                    walk.hit(ids, line, "%");
                }
            }
            Token::UnquotedUrl(url) => image_url(walk, &url, line),
            Token::Function(name) => {
                let name = name.to_ascii_lowercase();
                if let Some(ids) = ix.functions.get(&name) {
                    walk.hit(ids, line, &format!("{name}()"));
                }
                let _ = p.parse_nested_block(|p| -> Result<(), Never> {
                    if name == "url" {
                        if let Ok(Token::QuotedString(s)) = p.next() {
                            let s = s.to_string();
                            image_url(walk, &s, line);
                        }
                    }
                    value_tokens(p, walk, value, line, false);
                    Ok(())
                });
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                let _ = p.parse_nested_block(|p| -> Result<(), Never> {
                    value_tokens(p, walk, value, line, false);
                    Ok(())
                });
            }
            _ => {}
        }
    }
}

fn declaration(walk: &mut Walk, name: &str, text: &str, value: &Value, line: u32) {
    let ix = index();
    let written = format!("{name}: {text}");
    walk.hit(ix.property(name), line, &written);
    if value.important {
        walk.hit(&ix.important, line, &written);
    }
    if let Some(first) = &value.first_ident {
        if let Some(ids) = ix.property_values.get(&(name.to_owned(), first.clone())) {
            walk.hit(ids, line, &written);
        }
    }
}

/// The image format features of a URL (`.png`, `data:image/svg+xml;base64,...`).
pub fn image_url(walk: &mut Walk, url: &str, line: u32) {
    for id in image_features(url) {
        walk.hit(&[id], line, url);
    }
}

/// The image format features of a URL.
#[must_use]
pub fn image_features(url: &str) -> Vec<FeatureId> {
    let ix = index();
    let url = url.trim();
    let mut out = Vec::new();
    if let Some(rest) = url
        .get(..5)
        .filter(|h| h.eq_ignore_ascii_case("data:"))
        .and(url.get(5..))
    {
        let mime = rest.split([';', ',']).next().unwrap_or_default().to_ascii_lowercase();
        if let Some(sub) = mime.strip_prefix("image/") {
            out.extend(ix.image_formats.get(sub).into_iter().flatten());
        }
        if rest.split(',').next().is_some_and(|h| h.ends_with(";base64")) {
            out.extend(&ix.base64_images);
        }
        return out;
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if let Some((_, ext)) = path.rsplit_once('.') {
        if !ext.contains('/') {
            out.extend(ix.image_formats.get(&ext.to_ascii_lowercase()).into_iter().flatten());
        }
    }
    out
}

/// Selector kinds, pseudo-classes and nesting in a selector list.
fn selectors(walk: &mut Walk, list: &str, line: u32) {
    let ix = index();
    let parts = split_top_level(list, ',');
    if parts.len() >= 2 {
        walk.hit(
            ix.selectors.get(&SelectorKind::Grouping).map_or(&[], Vec::as_slice),
            line,
            list,
        );
    }
    for selector in parts {
        let scan = scan_selector(selector);
        for kind in &scan.kinds {
            walk.hit(ix.selectors.get(kind).map_or(&[], Vec::as_slice), line, selector.trim());
        }
        for pseudo in &scan.pseudos {
            if let Some(ids) = ix.pseudos.get(pseudo.as_str()) {
                walk.hit(ids, line, &format!(":{pseudo}"));
            }
        }
        if scan.nesting {
            walk.hit(&ix.nesting, line, selector.trim());
        }
    }
}

/// Splits at `sep` outside parentheses and brackets.
fn split_top_level(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.extend(s.get(start..i));
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.extend(s.get(start..));
    out
}

/// What one complex selector uses.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SelectorScan {
    /// Selector kinds, each once.
    pub kinds: Vec<SelectorKind>,
    /// Pseudo-class and pseudo-element names, lower case.
    pub pseudos: Vec<String>,
    /// `&`.
    pub nesting: bool,
    /// The compounds: (element name, classes), left to right, for matching dark-mode rules.
    pub compounds: Vec<(Option<String>, Vec<String>)>,
    /// Something beyond types, classes and descendant combinators (the contrast check skips it).
    pub complex: bool,
}

/// Scans one complex selector (no commas at the top level).
#[must_use]
pub fn scan_selector(selector: &str) -> SelectorScan {
    let mut scan = SelectorScan::default();
    let add = |kinds: &mut Vec<SelectorKind>, k: SelectorKind| {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    };
    let chars: Vec<char> = selector.trim().chars().collect();
    let mut i = 0;
    let mut compound: (Option<String>, Vec<String>) = (None, Vec::new());
    let mut pending_space = false;
    let ident = |chars: &[char], mut i: usize| {
        let start = i;
        while chars
            .get(i)
            .is_some_and(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == '\\' || !c.is_ascii())
        {
            i += 1;
        }
        (
            chars
                .get(start..i)
                .map(|s| s.iter().collect::<String>())
                .unwrap_or_default(),
            i,
        )
    };
    let end_compound = |scan: &mut SelectorScan, compound: &mut (Option<String>, Vec<String>)| {
        if compound.1.len() >= 2 {
            add(&mut scan.kinds, SelectorKind::Chaining);
        }
        scan.compounds.push(std::mem::take(compound));
    };
    while let Some(&c) = chars.get(i) {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                // Whitespace around a combinator, or at the end, is not a descendant combinator.
                pending_space = !matches!(chars.get(i), None | Some('>' | '+' | '~' | ','));
                continue;
            }
            '>' | '+' | '~' => {
                add(
                    &mut scan.kinds,
                    match c {
                        '>' => SelectorKind::Child,
                        '+' => SelectorKind::Adjacent,
                        _ => SelectorKind::Sibling,
                    },
                );
                scan.complex = true;
                end_compound(&mut scan, &mut compound);
                pending_space = false;
                i += 1;
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        if pending_space {
            if !scan.compounds.is_empty() || compound.0.is_some() || !compound.1.is_empty() || scan.complex {
                add(&mut scan.kinds, SelectorKind::Descendant);
                end_compound(&mut scan, &mut compound);
            }
            pending_space = false;
        }
        match c {
            '.' => {
                let (name, next) = ident(&chars, i + 1);
                add(&mut scan.kinds, SelectorKind::Class);
                compound.1.push(name);
                i = next;
            }
            '#' => {
                let (_, next) = ident(&chars, i + 1);
                add(&mut scan.kinds, SelectorKind::Id);
                scan.complex = true;
                i = next;
            }
            '*' => {
                add(&mut scan.kinds, SelectorKind::Universal);
                i += 1;
            }
            '&' => {
                scan.nesting = true;
                scan.complex = true;
                i += 1;
            }
            '[' => {
                let (name, next) = ident(&chars, i + 1);
                add(
                    &mut scan.kinds,
                    match name.to_ascii_lowercase().as_str() {
                        "class" => SelectorKind::Class,
                        "id" => SelectorKind::Id,
                        _ => SelectorKind::Attribute,
                    },
                );
                scan.complex = true;
                i = next;
                while chars.get(i).is_some_and(|c| *c != ']') {
                    i += 1;
                }
                i += 1;
            }
            ':' => {
                let mut j = i + 1;
                if chars.get(j) == Some(&':') {
                    j += 1;
                }
                let (name, next) = ident(&chars, j);
                scan.pseudos.push(name.to_ascii_lowercase());
                scan.complex = true;
                i = next;
                if chars.get(i) == Some(&'(') {
                    let mut depth = 0;
                    while let Some(&c) = chars.get(i) {
                        i += 1;
                        match c {
                            '(' => depth += 1,
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            c if c.is_alphabetic() || c == '_' || c == '-' || c == '\\' => {
                let (name, next) = ident(&chars, i);
                add(&mut scan.kinds, SelectorKind::Type);
                compound.0 = Some(name.to_ascii_lowercase());
                i = next;
            }
            _ => {
                scan.complex = true;
                i += 1;
            }
        }
    }
    end_compound(&mut scan, &mut compound);
    scan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::data;

    fn titles(walk: &Walk) -> Vec<String> {
        let mut t: Vec<String> = walk
            .found
            .iter()
            .filter_map(|f| data().data.get(f.feature).map(|d| d.title.clone()))
            .collect();
        t.sort();
        t.dedup();
        t
    }

    #[test]
    fn a_style_attribute_yields_properties_values_units_and_functions() {
        let w = style_attribute("display: flex !important; margin-top: calc(1em + 2px); color: var(--x); width: 50%");
        assert_eq!(
            titles(&w),
            [
                "!important keyword",
                "% unit",
                "CSS Variables (Custom Properties)",
                "CSS calc() function",
                "display",
                "display:flex",
                "em unit",
                "margin",
                "px unit",
                "width property"
            ]
        );
    }

    #[test]
    fn a_style_sheet_yields_at_rules_media_features_selectors_and_nested_rules() {
        let w = stylesheet(
            "/* c */ a:hover > .x.y { color: red }\n@media (prefers-color-scheme: dark) { .b .c { background-color: #000 !important } }\n@font-face { font-family: X; src: url(x.woff2) }",
        );
        let t = titles(&w);
        for expected in [
            "CSS comments",
            ":hover",
            "Child combinator",
            "Chaining selectors",
            "Type selector",
            "Class selector",
            "@media",
            "@media (prefers-color-scheme)",
            "Descendant combinator",
            "background-color",
            "!important keyword",
            "@font-face",
        ] {
            assert!(t.iter().any(|x| x == expected), "{expected} not in {t:?}");
        }
        assert_eq!(w.rules.len(), 2);
        let dark = w.rules.iter().find(|r| r.media.contains("dark"));
        assert_eq!(dark.map(|r| r.selector.as_str()), Some(".b .c"));
        let line = w
            .found
            .iter()
            .find(|f| f.what == "background-color: #000 !important")
            .map(|f| f.line);
        assert_eq!(line, Some(1));
    }

    #[test]
    fn selectors_are_scanned_by_compound() {
        let s = scan_selector(".t-button .t-button__cell");
        assert_eq!(s.kinds, [SelectorKind::Class, SelectorKind::Descendant]);
        assert_eq!(s.compounds.len(), 2);
        assert!(!s.complex);
        let s = scan_selector("#main > p + p ~ span");
        assert_eq!(
            s.kinds,
            [
                SelectorKind::Id,
                SelectorKind::Child,
                SelectorKind::Type,
                SelectorKind::Adjacent,
                SelectorKind::Sibling
            ]
        );
        let s = scan_selector("u + .body a[x-apple-data-detectors]");
        assert!(s.kinds.contains(&SelectorKind::Adjacent));
        assert!(s.kinds.contains(&SelectorKind::Attribute));
        assert!(s.complex);
    }

    #[test]
    fn image_urls_name_their_format() {
        let svg: Vec<String> = image_features("data:image/svg+xml;base64,AAA")
            .iter()
            .filter_map(|i| data().data.get(*i).map(|f| f.title.clone()))
            .collect();
        assert_eq!(svg, ["SVG image format", "Base 64 image format"]);
        assert_eq!(image_features("https://x.test/a.webp?w=2").len(), 1);
        assert!(image_features("https://x.test/a").is_empty());
    }
}

//! Literal text that looks like template syntax must reach the recipient as written. Each target
//! gets the text with its own delimiters broken up, in a way its engine prints back literally.
//!
//! - Liquid: a `{` that could open a tag (`{{`, `{%`, or a `{` at the end of a literal, which the
//!   next tag would join, or before a character written as a tag) is written as the output tag
//!   `{{ "{" }}`.
//! - Braze: as Liquid, and a `$` that could open Braze's `${attribute}` (before `{`, at the end,
//!   or before a character written as a tag) as `{{ "$" }}`.
//! - Handlebars (SendGrid): each pair of `{` in a run is escaped as `\{{`; a `\` right before it,
//!   or at the end of a literal (where the next tag would join it), and a `{` at the end are
//!   closed off with ` {{~!}}` (a comment that strips the space before it), and a literal that
//!   starts with `}` gets an empty comment `{{!}}` first so a preceding tag cannot absorb it.
//! - Mailchimp: merge tags have no escape, so the `|` of a `*|` in literal text (also one formed
//!   with the `*` that ends the text written before) is printed by the merge tag
//!   `*|HTML:LIT_PIPE|*`, whose field holds `|` for every recipient (see [`MAILCHIMP_PIPE`]).
//! - AMPscript: a run of `%`, `[`, `]`, `=` holding `%%`, or at either end of a literal, is
//!   printed by an output of one-character string constants (`%%=Concat("%","%","[")=%%`).
//! - Static HTML: the second character of `{{`, `{%`, `%%[`, `%%=`, `*|` and `${` becomes a
//!   character reference (`{&#123;`, as preview already writes literal `{{`), outside `<style>`
//!   and `<script>`; a browser shows the same characters, no ESP sees a delimiter.

use std::fmt::Write as _;

/// Liquid (and, with `braze`, Braze): breaks up every delimiter in literal text.
#[must_use]
pub fn liquid(text: &str, braze: bool) -> String {
    braces(text, &['{', '%'], braze)
}

/// Jinja (`HubL`) and Django (Klaviyo): as Liquid, with the comment opener `{#` broken up too; the
/// `{` is written as the output `{{ "{" }}`, which both languages print as `{`.
#[must_use]
pub fn jinja(text: &str) -> String {
    braces(text, &['{', '%', '#'], false)
}

/// Velocity: literal text holding `$`, `#` or `\`, or starting with white space (which Velocity
/// swallows up to the line break after a directive such as `#{end}`), is wrapped in an unparsed
/// block `#[[...]]#`; a `]]#` inside the text ends one block before its `#`, which the next block
/// prints.
#[must_use]
pub fn velocity(text: &str) -> String {
    if !text.contains(['$', '#', '\\']) && !text.starts_with(char::is_whitespace) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, piece) in text.split("]]#").enumerate() {
        if i > 0 {
            out.push_str("#[[]]]]##[[#]]#");
        }
        if !piece.is_empty() {
            out.push_str("#[[");
            out.push_str(piece);
            out.push_str("]]#");
        }
    }
    out
}

/// Iterable: as Handlebars, and a `[[` (Iterable's data-feed syntax) is broken by an empty
/// comment, `[{{!}}[`.
#[must_use]
pub fn iterable(text: &str) -> String {
    let out = handlebars(text);
    if out.contains("[[") {
        out.replace("[[", "[{{!}}[")
    } else {
        out
    }
}

/// A `{` that could open a tag (before one of `openers`, at the end, or before a character
/// written as a tag), and with `dollar` a `$` before `{`, written as the output `{{ "{" }}`.
fn braces(text: &str, openers: &[char], dollar: bool) -> String {
    let trigger = |c: char| c == '{' || (dollar && c == '$');
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    // Literal text is mostly markup without a trigger: it is copied in runs, and only the runs of
    // `{` (and `$`) are looked at, each decided from its end: a character before one written as a
    // tag would otherwise join that tag's `{{` (`{` + `{{` is `{{{`, and in Braze `$` + `{{` is
    // `${`).
    while let Some(start) = rest.find(trigger) {
        let (plain, from) = rest.split_at(start);
        out.push_str(plain);
        let len = from.find(|c: char| !trigger(c)).unwrap_or(from.len());
        let (run, after) = from.split_at(len);
        let mut tagged = [false; 64];
        let mut tags: Vec<bool> = Vec::new();
        let tags: &mut [bool] = if run.len() <= tagged.len() {
            tagged.get_mut(..run.len()).unwrap_or_default()
        } else {
            tags.resize(run.len(), false);
            &mut tags
        };
        let (mut next, mut next_tagged) = (after.chars().next(), false);
        // The run is ASCII (`{` and `$`).
        for (c, tag) in run.bytes().map(char::from).zip(tags.iter_mut()).rev() {
            *tag = match c {
                '{' => next.is_none_or(|n| openers.contains(&n)) || next_tagged,
                '$' => matches!(next, None | Some('{')) || next_tagged,
                _ => false,
            };
            (next, next_tagged) = (Some(c), *tag);
        }
        for (c, tag) in run.bytes().map(char::from).zip(tags.iter()) {
            if *tag {
                out.push_str("{{ \"");
                out.push(c);
                out.push_str("\" }}");
            } else {
                out.push(c);
            }
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Handlebars (SendGrid): makes literal text print as written.
#[must_use]
pub fn handlebars(text: &str) -> String {
    const CLOSE: &str = " {{~!}}";
    let mut out = String::with_capacity(text.len() + 16);
    if text.starts_with('}') {
        out.push_str("{{!}}");
    }
    let mut rest = text;
    // Copied in runs up to each `{{`.
    while let Some(start) = rest.find("{{") {
        let (plain, from) = rest.split_at(start);
        out.push_str(plain);
        if out.ends_with('\\') {
            out.push_str(CLOSE);
        }
        // Each pair of a run is escaped on its own (`\{{` only covers the next two braces:
        // `{{{{` is `\{{\{{`); an odd last brace stays as it is.
        let run = from.len() - from.trim_start_matches('{').len();
        for _ in 0..run / 2 {
            out.push_str("\\{{");
        }
        if run % 2 == 1 {
            out.push('{');
        }
        rest = from.get(run..).unwrap_or_default();
    }
    out.push_str(rest);
    if out.ends_with('\\') || out.ends_with('{') {
        out.push_str(CLOSE);
    }
    out
}

/// The merge tag Mailchimp literal text uses for the `|` of a `*|`.
pub const MAILCHIMP_PIPE: &str = "LIT_PIPE";

/// Mailchimp: writes `text` after `before` so that no `*|` opens a merge tag; returns whether the
/// `LIT_PIPE` merge field was needed.
pub fn mailchimp(before: &str, text: &str, out: &mut String) -> bool {
    let mut used = false;
    let mut star = before.ends_with('*');
    for c in text.chars() {
        if c == '|' && star {
            out.push_str("*|HTML:");
            out.push_str(MAILCHIMP_PIPE);
            out.push_str("|*");
            used = true;
        } else {
            out.push(c);
        }
        star = c == '*';
    }
    used
}

/// AMPscript: no delimiter (`%%[`, `%%=`, `]%%`, `=%%`, or a `%%name%%` personalization string)
/// forms in or around literal text. A run of the characters `%`, `[`, `]` and `=` that holds two
/// `%` in a row, or that starts or ends the text (where the delimiter written next to it would
/// join it), is printed by an output of one-character string constants instead:
/// `%%[` becomes `%%=Concat("%","%","[")=%%`, a lone `=` at the start `%%=v("=")=%%`.
#[must_use]
pub fn ampscript(text: &str) -> String {
    const SPECIAL: [char; 4] = ['%', '[', ']', '='];
    if !text.contains(SPECIAL) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if !SPECIAL.contains(&c) {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(|c| SPECIAL.contains(c)) {
            i += 1;
        }
        let run = chars.get(start..i).unwrap_or_default();
        let doubled = run.windows(2).any(|w| w == ['%', '%']);
        if doubled || start == 0 || i == chars.len() {
            let strings: Vec<String> = run.iter().map(|c| format!("\"{c}\"")).collect();
            if strings.len() == 1 {
                let _ = write!(out, "%%=v({})=%%", strings.join(""));
            } else {
                let _ = write!(out, "%%=Concat({})=%%", strings.join(","));
            }
        } else {
            out.extend(run);
        }
    }
    out
}

/// The delimiters of every target, and what their second character becomes in HTML.
const HTML_BREAKS: [(&str, &str); 6] = [
    ("{{", "{&#123;"),
    ("{%", "{&#37;"),
    ("%%[", "%&#37;["),
    ("%%=", "%&#37;="),
    ("*|", "*&#124;"),
    ("${", "$&#123;"),
];

/// Static HTML: character references break up every target's delimiters outside raw-text elements.
#[must_use]
pub fn html(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut rest = markup;
    loop {
        let lower = rest.to_ascii_lowercase();
        let raw = ["<style", "<script"].iter().filter_map(|t| lower.find(t)).min();
        let (plain, tail) = rest.split_at(raw.unwrap_or(rest.len()));
        out.push_str(&break_delimiters(plain));
        if tail.is_empty() {
            return out;
        }
        let tail_lower = &lower[plain.len()..];
        let close = if tail_lower.starts_with("<style") {
            "</style"
        } else {
            "</script"
        };
        let end = tail_lower.find(close).map_or(tail.len(), |e| e + close.len());
        out.push_str(&tail[..end]);
        rest = &tail[end..];
    }
}

fn break_delimiters(text: &str) -> String {
    let mut s = text.to_owned();
    // Applied until stable: `%%%[` or `{{{` hide a second delimiter behind the first.
    loop {
        let before = s.len();
        for (from, to) in HTML_BREAKS {
            if s.contains(from) {
                s = s.replace(from, to);
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liquid_breaks_tag_openers_and_a_trailing_brace() {
        assert_eq!(
            liquid("a {{b}} {% raw %} {c", false),
            "a {{ \"{\" }}{b}} {{ \"{\" }}% raw %} {c"
        );
        assert_eq!(liquid("x{", false), "x{{ \"{\" }}");
        assert_eq!(liquid("{{{", false), "{{ \"{\" }}{{ \"{\" }}{{ \"{\" }}");
        assert_eq!(liquid("${x} $", false), "${x} $");
        assert_eq!(liquid("${x} $", true), "{{ \"$\" }}{x} {{ \"$\" }}");
    }

    #[test]
    fn jinja_breaks_comment_openers_too() {
        assert_eq!(
            jinja("a {# c #} {{b}} {"),
            "a {{ \"{\" }}# c #} {{ \"{\" }}{b}} {{ \"{\" }}"
        );
        assert_eq!(jinja("{% endraw %}"), "{{ \"{\" }}% endraw %}");
        assert_eq!(jinja("a { b } c"), "a { b } c");
    }

    #[test]
    fn velocity_wraps_directive_characters_in_unparsed_blocks() {
        assert_eq!(velocity("plain text"), "plain text");
        assert_eq!(velocity("$x #if"), "#[[$x #if]]#");
        assert_eq!(velocity("\nline"), "#[[\nline]]#");
        // `]]#` ends a block before its `#`; the next block prints `]]#` back.
        assert_eq!(velocity("a]]#b $"), "#[[a]]##[[]]]]##[[#]]##[[b $]]#");
        assert_eq!(velocity("C:\\"), "#[[C:\\]]#");
    }

    #[test]
    fn iterable_breaks_data_feed_brackets() {
        assert_eq!(iterable("[[feed]] {{x}}"), "[{{!}}[feed]] \\{{x}}");
    }

    #[test]
    fn handlebars_escapes_mustaches_and_closes_trailing_backslashes_and_braces() {
        assert_eq!(handlebars("a {{b}} {{{c}}}"), "a \\{{b}} \\{{{c}}}");
        // A backslash before `{{` is kept as a backslash: the comment strips the space after it.
        assert_eq!(handlebars("\\{{x}}"), "\\ {{~!}}\\{{x}}");
        assert_eq!(handlebars("x{"), "x{ {{~!}}");
        assert_eq!(handlebars("x\\"), "x\\ {{~!}}");
        assert_eq!(handlebars("}) b"), "{{!}}}) b");
        assert_eq!(handlebars("plain $ { } text"), "plain $ { } text");
    }

    #[test]
    fn mailchimp_prints_the_pipe_of_every_opener_through_a_merge_field() {
        let mut out = String::new();
        assert!(mailchimp("", "a *|FNAME|* b |* c", &mut out));
        assert_eq!(out, "a **|HTML:LIT_PIPE|*FNAME|* b |* c");
        let mut out = String::new();
        assert!(mailchimp("x*", "|y", &mut out));
        assert_eq!(out, "*|HTML:LIT_PIPE|*y");
        let mut out = String::new();
        assert!(!mailchimp("", "a | b * c", &mut out));
        assert_eq!(out, "a | b * c");
    }

    #[test]
    fn ampscript_prints_delimiter_characters_through_outputs() {
        assert_eq!(ampscript("100% off, a=b [x] y"), "100% off, a=b [x] y");
        assert_eq!(
            ampscript("a %%[SET]%% b"),
            "a %%=Concat(\"%\",\"%\",\"[\")=%%SET%%=Concat(\"]\",\"%\",\"%\")=%% b"
        );
        assert_eq!(ampscript("%x="), "%%=v(\"%\")=%%x%%=v(\"=\")=%%");
        assert_eq!(ampscript("[%%%]"), "%%=Concat(\"[\",\"%\",\"%\",\"%\",\"]\")=%%");
        for hostile in ["%%[ IF 1 THEN ]%% %%=v(@x)=%% %%first%%", "=%%]", "%"] {
            let out = ampscript(hostile);
            for delimiter in ["%%[", "]%%"] {
                assert!(!out.contains(delimiter), "{delimiter} in {out}");
            }
        }
    }

    #[test]
    fn html_breaks_every_target_outside_raw_text() {
        let out = html("<p>{{a}} {%b%} %%[c]%% %%=d=%% *|E|* ${f}</p><style>a{b:c}*|x{}</style>{{");
        for delimiter in ["{{", "{%", "%%[", "%%=", "${"] {
            assert!(!out.contains(delimiter), "{delimiter} survived in {out}");
        }
        assert!(out.contains("<style>a{b:c}*|x{}</style>"), "{out}");
        assert!(
            out.starts_with("<p>{&#123;a}} {&#37;b%} %&#37;[c]%% %&#37;=d=%% *&#124;E|* $&#123;f}</p>"),
            "{out}"
        );
        assert_eq!(html("%%%[ {{{"), "%%&#37;[ {&#123;{");
    }
}

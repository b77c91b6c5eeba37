//! A small HTML state machine that follows the template's markup as it is written, so each template
//! tag knows where it stands: in text, in which attribute, inside a comment, or somewhere a tag cannot
//! go (between table rows, inside a tag name, in a `<script>`).

/// Where an attribute value's content goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrKind {
    /// `href`, `src` and other URL attributes.
    Url,
    /// The inline `style` attribute.
    Css,
    /// Any other attribute.
    Plain,
    /// `on*` event handlers: never allowed to hold a value.
    Script,
}

/// Where a template tag stands in the markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spot {
    /// In text content.
    Text,
    /// In text where a parser would move it out of place (directly inside a table or row).
    TableText,
    /// Inside an attribute value; `at_start` when nothing precedes it in the value.
    Attr {
        /// What the attribute holds.
        kind: AttrKind,
        /// Nothing in the value precedes the tag.
        at_start: bool,
    },
    /// Inside a comment (e.g. an Outlook conditional comment); the comment's own markup decides.
    Comment(Box<Spot>),
    /// In `<title>` or `<textarea>`: text that cannot hold comments.
    RawText,
    /// Somewhere a tag cannot go: a tag name, between attributes, in `<script>` or `<style>`.
    Forbidden(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Data,
    TagOpen,
    TagName { end: bool },
    BeforeAttrName,
    AttrName,
    AfterAttrName,
    BeforeAttrValue,
    AttrValue { quote: Option<char> },
    MarkupDecl,
    Comment { dashes: u8 },
    BogusComment,
    RawText { tag: &'static str, matched: usize },
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
];
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "background",
    "action",
    "poster",
    "cite",
    "longdesc",
    "usemap",
    "formaction",
    "xlink:href",
    "srcset",
];

/// Follows markup as it is appended.
#[derive(Debug, Clone)]
pub struct Scanner {
    state: State,
    tag: String,
    attr: String,
    value_len: usize,
    end_tag: bool,
    stack: Vec<String>,
    comment: Option<Box<Scanner>>,
    url: UrlGuard,
}

/// What the scanner knows about the URL attribute value it is in, so literal text after a template
/// tag cannot complete a scheme the tag left open (`{{x}}javascript:...`, `{{#if a}}{{/if}}javascript:...`).
#[derive(Debug, Clone, Default)]
struct UrlGuard {
    /// A template tag stood earlier in this value.
    after_tag: bool,
    /// The literal text before the first tag already holds `:`, `/`, `?` or `#`: the scheme is decided.
    settled: bool,
    /// Literal text since the last tag.
    tail: String,
    /// The first literal tail found unsafe, waiting to be reported.
    problem: Option<String>,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    /// A scanner at the start of a document or fragment.
    #[must_use]
    pub fn new() -> Self {
        Self {
            state: State::Data,
            tag: String::new(),
            attr: String::new(),
            value_len: 0,
            end_tag: false,
            stack: Vec::new(),
            comment: None,
            url: UrlGuard::default(),
        }
    }

    fn in_url_value(&self) -> bool {
        matches!(self.state, State::AttrValue { .. }) && URL_ATTRS.contains(&self.attr.as_str())
    }

    /// Records that a template tag (a value or a structural tag) stands here: in a URL attribute the
    /// literal text that came since the previous tag is checked.
    pub fn note_tag(&mut self) {
        if self.in_url_value() {
            self.check_url_tail();
            self.url.after_tag = true;
        }
        if let Some(inner) = self.comment.as_mut() {
            inner.note_tag();
        }
    }

    /// The first literal text after a template tag in a URL attribute that could make the URL's
    /// scheme unsafe (`javascript:` after a placeholder that printed nothing), once.
    pub fn take_unsafe_url(&mut self) -> Option<String> {
        let inner = self.comment.as_mut().and_then(|inner| inner.take_unsafe_url());
        inner.or_else(|| self.url.problem.take())
    }

    fn check_url_tail(&mut self) {
        let tail = std::mem::take(&mut self.url.tail);
        if self.url.after_tag
            && !self.url.settled
            && self.url.problem.is_none()
            && !crate::escape::is_safe_url_text(&tail)
        {
            self.url.problem = Some(tail);
        }
    }

    /// One character of an attribute value's content.
    fn value_char(&mut self, c: char) {
        self.value_len += 1;
        if !URL_ATTRS.contains(&self.attr.as_str()) {
            return;
        }
        if !self.url.after_tag {
            if matches!(c, ':' | '/' | '?' | '#') {
                self.url.settled = true;
            }
        } else if !self.url.settled {
            self.url.tail.push(c);
        }
    }

    /// The attribute value ends: its last literal tail is checked.
    fn end_value(&mut self) {
        if URL_ATTRS.contains(&self.attr.as_str()) {
            self.check_url_tail();
        }
        let problem = self.url.problem.take();
        self.url = UrlGuard {
            problem,
            ..UrlGuard::default()
        };
    }

    /// Where a tag inserted now would stand.
    #[must_use]
    pub fn spot(&self) -> Spot {
        match &self.state {
            State::Data => {
                if self
                    .stack
                    .last()
                    .is_some_and(|t| matches!(t.as_str(), "table" | "tbody" | "thead" | "tfoot" | "tr"))
                {
                    Spot::TableText
                } else {
                    Spot::Text
                }
            }
            State::AttrValue { .. } => {
                let name = self.attr.as_str();
                let kind = if name.starts_with("on") {
                    AttrKind::Script
                } else if URL_ATTRS.contains(&name) {
                    AttrKind::Url
                } else if name == "style" {
                    AttrKind::Css
                } else {
                    AttrKind::Plain
                };
                Spot::Attr {
                    kind,
                    at_start: self.value_len == 0,
                }
            }
            State::Comment { .. } | State::BogusComment => {
                Spot::Comment(Box::new(self.comment.as_ref().map_or(Spot::Text, |inner| inner.spot())))
            }
            State::RawText { tag, .. } if matches!(*tag, "title" | "textarea") => Spot::RawText,
            State::RawText { .. } => Spot::Forbidden("inside <style> or <script>"),
            State::TagOpen | State::TagName { .. } => Spot::Forbidden("inside a tag name"),
            State::BeforeAttrName | State::AttrName | State::AfterAttrName | State::BeforeAttrValue => {
                Spot::Forbidden("between attributes (tags may only stand inside an attribute's quoted value)")
            }
            State::MarkupDecl => Spot::Forbidden("inside <!...>"),
        }
    }

    /// The innermost open element, if any.
    #[must_use]
    pub fn innermost(&self) -> Option<&str> {
        if self.state == State::Data {
            self.stack.last().map(String::as_str)
        } else {
            None
        }
    }

    /// Whether non-blank text here would be moved by an HTML parser (text directly inside a table).
    #[must_use]
    pub fn in_table_text(&self) -> bool {
        self.spot() == Spot::TableText
    }

    /// Records that a template tag's value was written at this point (it counts as value content).
    pub fn note_value(&mut self) {
        if let State::AttrValue { .. } = self.state {
            self.value_len += 1;
        }
        if let Some(inner) = self.comment.as_mut() {
            inner.note_value();
        }
    }

    /// Feeds literal markup. Returns an error message when text lands where a parser would move it.
    pub fn feed(&mut self, s: &str) -> Result<(), &'static str> {
        let mut misplaced = false;
        for c in s.chars() {
            if self.step(c) {
                misplaced = true;
            }
        }
        if misplaced {
            Err("text directly inside a <table> or <tr> (outside any <td>) would be moved by email clients")
        } else {
            Ok(())
        }
    }

    /// One character; returns true when it is non-blank text directly inside a table.
    fn step(&mut self, c: char) -> bool {
        match &mut self.state {
            State::Data => {
                if c == '<' {
                    self.state = State::TagOpen;
                } else if !c.is_whitespace() && self.in_table_text() {
                    return true;
                }
            }
            State::TagOpen => {
                if c == '!' {
                    self.state = State::MarkupDecl;
                    self.tag.clear();
                } else if c == '/' {
                    self.tag.clear();
                    self.state = State::TagName { end: true };
                } else if c.is_ascii_alphabetic() {
                    self.tag.clear();
                    self.tag.push(c.to_ascii_lowercase());
                    self.state = State::TagName { end: false };
                } else {
                    self.state = State::Data;
                }
            }
            State::TagName { end } => {
                let end = *end;
                if c.is_whitespace() {
                    self.state = State::BeforeAttrName;
                    self.end_tag = end;
                } else if c == '>' {
                    self.end_tag = end;
                    self.finish_tag();
                } else if c == '/' {
                    self.end_tag = end;
                    self.state = State::BeforeAttrName;
                } else {
                    self.tag.push(c.to_ascii_lowercase());
                }
            }
            State::BeforeAttrName | State::AfterAttrName => {
                if c == '>' {
                    self.finish_tag();
                } else if c == '=' && self.state == State::AfterAttrName {
                    self.state = State::BeforeAttrValue;
                } else if !c.is_whitespace() && c != '/' {
                    self.attr.clear();
                    self.attr.push(c.to_ascii_lowercase());
                    self.state = State::AttrName;
                }
            }
            State::AttrName => {
                if c == '=' {
                    self.state = State::BeforeAttrValue;
                } else if c == '>' {
                    self.finish_tag();
                } else if c.is_whitespace() || c == '/' {
                    self.state = State::AfterAttrName;
                } else {
                    self.attr.push(c.to_ascii_lowercase());
                }
            }
            State::BeforeAttrValue => {
                self.value_len = 0;
                let problem = self.url.problem.take();
                self.url = UrlGuard {
                    problem,
                    ..UrlGuard::default()
                };
                if c == '"' || c == '\'' {
                    self.state = State::AttrValue { quote: Some(c) };
                } else if c == '>' {
                    self.finish_tag();
                } else if !c.is_whitespace() {
                    self.state = State::AttrValue { quote: None };
                    self.value_char(c);
                }
            }
            State::AttrValue { quote } => match *quote {
                Some(q) if c == q => {
                    self.end_value();
                    self.state = State::BeforeAttrName;
                }
                None if c.is_whitespace() => {
                    self.end_value();
                    self.state = State::BeforeAttrName;
                }
                None if c == '>' => {
                    self.end_value();
                    self.finish_tag();
                }
                _ => self.value_char(c),
            },
            State::MarkupDecl => {
                self.tag.push(c);
                if self.tag == "--" {
                    self.state = State::Comment { dashes: 0 };
                    self.comment = Some(Box::new(Scanner::new()));
                } else if !"--".starts_with(self.tag.as_str()) {
                    self.state = if c == '>' { State::Data } else { State::BogusComment };
                }
            }
            State::Comment { dashes } => {
                if c == '>' && *dashes >= 2 {
                    self.state = State::Data;
                    self.comment = None;
                } else {
                    let flushed = *dashes;
                    *dashes = if c == '-' { (*dashes + 1).min(2) } else { 0 };
                    if let Some(inner) = self.comment.as_mut() {
                        if c != '-' {
                            for _ in 0..flushed {
                                inner.step('-');
                            }
                            inner.step(c);
                        }
                    }
                }
            }
            State::BogusComment => {
                if c == '>' {
                    self.state = State::Data;
                }
            }
            State::RawText { tag, matched } => {
                let closing = format!("</{tag}");
                let target = closing.as_bytes();
                if let Some(&want) = target.get(*matched) {
                    if c.to_ascii_lowercase() as u32 == u32::from(want) {
                        *matched += 1;
                    } else {
                        *matched = usize::from(c == '<');
                    }
                } else if c == '>' || c.is_whitespace() {
                    self.stack.pop();
                    self.state = if c == '>' { State::Data } else { State::BeforeAttrName };
                    if c != '>' {
                        self.end_tag = true;
                        self.tag.clear();
                    }
                } else {
                    *matched = 0;
                }
            }
        }
        false
    }

    fn finish_tag(&mut self) {
        self.state = State::Data;
        let name = std::mem::take(&mut self.tag);
        if self.end_tag {
            self.end_tag = false;
            if let Some(pos) = self.stack.iter().rposition(|t| *t == name) {
                self.stack.truncate(pos);
            }
            return;
        }
        if VOID.contains(&name.as_str()) {
            return;
        }
        let raw: Option<&'static str> = match name.as_str() {
            "style" => Some("style"),
            "script" => Some("script"),
            "title" => Some("title"),
            "textarea" => Some("textarea"),
            _ => None,
        };
        self.stack.push(name);
        if let Some(tag) = raw {
            self.state = State::RawText { tag, matched: 0 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spot_after(html: &str) -> Spot {
        let mut s = Scanner::new();
        let _ = s.feed(html);
        s.spot()
    }

    #[test]
    fn finds_text_attributes_and_forbidden_places() {
        assert_eq!(spot_after("<p>Hello "), Spot::Text);
        assert_eq!(
            spot_after("<a href=\""),
            Spot::Attr {
                kind: AttrKind::Url,
                at_start: true
            }
        );
        assert_eq!(
            spot_after("<a href='https://x.example/?u="),
            Spot::Attr {
                kind: AttrKind::Url,
                at_start: false
            }
        );
        assert_eq!(
            spot_after("<td style=\"color:"),
            Spot::Attr {
                kind: AttrKind::Css,
                at_start: false
            }
        );
        assert_eq!(
            spot_after("<img alt=\""),
            Spot::Attr {
                kind: AttrKind::Plain,
                at_start: true
            }
        );
        assert_eq!(
            spot_after("<a onclick=\""),
            Spot::Attr {
                kind: AttrKind::Script,
                at_start: true
            }
        );
        assert!(matches!(spot_after("<td "), Spot::Forbidden(_)));
        assert!(matches!(spot_after("<style>.a{"), Spot::Forbidden(_)));
        assert_eq!(spot_after("<title>"), Spot::RawText);
        assert_eq!(spot_after("<title>x</title><p>"), Spot::Text);
    }

    #[test]
    fn knows_table_context() {
        assert_eq!(spot_after("<table><tr>"), Spot::TableText);
        assert_eq!(spot_after("<table><tr><td>"), Spot::Text);
        assert_eq!(spot_after("<table><tr><td>x</td></tr>"), Spot::TableText);
        assert_eq!(spot_after("<table><tr><td>x</td></tr></table>"), Spot::Text);
        let mut s = Scanner::new();
        assert!(s.feed("<table>\n  <tr>").is_ok());
        assert!(s.feed("oops").is_err());
    }

    #[test]
    fn follows_markup_inside_outlook_comments() {
        assert_eq!(
            spot_after("<p><!--[if mso]><v:roundrect href=\""),
            Spot::Comment(Box::new(Spot::Attr {
                kind: AttrKind::Url,
                at_start: true
            }))
        );
        assert_eq!(spot_after("<p><!--[if mso]><b>x</b><![endif]-->"), Spot::Text);
        assert_eq!(spot_after("<p><!-- a - b -- c -->"), Spot::Text);
    }
}

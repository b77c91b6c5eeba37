//! HTML email → plain-text alternative.
//!
//! [`html_to_text`] turns the HTML body of an email into the text that goes
//! into its `text/plain` part. It runs html5ever's streaming tokenizer (no
//! tree is built) and keeps just enough state — a stack of open elements —
//! to know what is hidden, which list an item belongs to and where a link
//! ends.
//!
//! Template markers survive the conversion:
//!
//! * a comment marker `<!--tsr:N-->` is written as `'\u{E000}' N '\u{E001}'`
//!   wherever it occurs in the source, even inside skipped content (`head`,
//!   `style`, hidden elements, …), inside other comments or inside a tag;
//! * an inline marker `'\u{E000}' N '\u{E001}'` is ordinary text to the
//!   converter, so it is kept wherever the text or attribute value that
//!   holds it (link URL, image `alt`) is written.
//!
//! Comment markers are "zero-width" for layout purposes: a pending line
//! break is written *before* the marker, and the marker itself does not
//! count as content, so a marker between two table rows ends up at the start
//! of the next row's line and adds no blank lines of its own.

mod elements;
mod writer;

use std::cell::RefCell;

use crate::markers::{COMMENT_CLOSE, COMMENT_OPEN, MARK_CLOSE as MARKER_END, MARK_OPEN as MARKER_START};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use html5ever::{local_name, LocalName, TokenizerResult};

use elements::{
    block_break, closes_p, is_button_scope_boundary, is_formatting, is_head_content, is_heading, is_list,
    is_preformatted, is_scope_boundary, is_skipped, is_special, is_table_part, is_void, raw_text_kind, Raw,
};
use writer::Writer;

/// Width of the rule written for `<hr>`.
const HR_WIDTH: usize = 40;

/// How far down the open-element stack an end tag looks for its element.
/// Real email markup nests a few dozen levels deep; the bound keeps
/// adversarial input (thousands of unclosed tags) linear.
const MAX_SCOPE_SEARCH: usize = 512;

/// Lists nested deeper than this are indented like this level, so that
/// pathological nesting cannot blow up the output quadratically.
const MAX_LIST_INDENT_LEVELS: usize = 10;

/// Converts the HTML of an email into its plain-text alternative.
///
/// The result has no leading or trailing blank lines, never more than one
/// blank line in a row, no trailing spaces on any line, and ends with exactly
/// one `\n` unless it is empty. Comment markers `<!--tsr:N-->` are written as
/// `\u{E000}N\u{E001}` in source order; see the [module docs](self) for the
/// full set of rules.
///
/// Never panics, whatever the input.
pub fn html_to_text(html: &str) -> String {
    let html = html.strip_prefix('\u{feff}').unwrap_or(html);
    let sink = Sink {
        conv: RefCell::new(Converter::new(html.len())),
    };
    // `discard_bom` is re-checked on every `feed`, which would eat a U+FEFF
    // at the start of any segment; the document's own BOM is stripped above.
    let opts = TokenizerOpts {
        discard_bom: false,
        ..TokenizerOpts::default()
    };
    let tokenizer = Tokenizer::new(sink, opts);
    let queue = BufferQueue::default();

    // Comment markers are cut out of the input and written by the driver
    // rather than fed to the tokenizer. That way they are emitted whatever
    // state the tokenizer is in (inside raw text, a comment, an attribute),
    // and the surrounding markup is tokenized as if the marker (which stands
    // for a template tag, not for HTML) were not there.
    let mut rest = html;
    while let Some(found) = next_comment_marker(rest) {
        feed(&tokenizer, &queue, rest.get(..found.start).unwrap_or(""));
        if let Ok(mut conv) = tokenizer.sink.conv.try_borrow_mut() {
            conv.comment_marker(found.number);
        }
        rest = rest.get(found.end..).unwrap_or("");
    }
    feed(&tokenizer, &queue, rest);
    tokenizer.end();

    let sink = tokenizer.sink;
    sink.conv.into_inner().finish()
}

/// Pushes `chunk` into the tokenizer and runs it over everything buffered.
fn feed(tokenizer: &Tokenizer<Sink>, queue: &BufferQueue, chunk: &str) {
    if chunk.is_empty() {
        return;
    }
    queue.push_back(StrTendril::from_slice(chunk));
    // The sink never asks the tokenizer to pause (no scripts, no encoding
    // changes), so this loop runs once; it is written defensively anyway.
    loop {
        match tokenizer.feed(queue) {
            TokenizerResult::Done => break,
            _ if queue.is_empty() => break,
            _ => {}
        }
    }
}

/// A `<!--tsr:N-->` found in the input.
struct FoundMarker<'a> {
    /// Byte offset of the `<`.
    start: usize,
    /// Byte offset just past the closing `>`.
    end: usize,
    /// The decimal digits of N.
    number: &'a str,
}

/// Finds the first well-formed `<!--tsr:N-->` in `s`.
fn next_comment_marker(s: &str) -> Option<FoundMarker<'_>> {
    const OPEN: &str = COMMENT_OPEN;
    const CLOSE: &str = COMMENT_CLOSE;
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|tail| tail.find(OPEN)) {
        let start = from + pos;
        let digits_start = start + OPEN.len();
        let tail = s.get(digits_start..).unwrap_or("");
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && tail.get(digits..).is_some_and(|t| t.starts_with(CLOSE)) {
            return Some(FoundMarker {
                start,
                end: digits_start + digits + CLOSE.len(),
                number: tail.get(..digits).unwrap_or(""),
            });
        }
        // `<` is one byte, so `start + 1` is a char boundary.
        from = start + 1;
    }
    None
}

/// Token sink handing every token to the [`Converter`].
struct Sink {
    conv: RefCell<Converter>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        match self.conv.try_borrow_mut() {
            Ok(mut conv) => conv.token(token),
            // Unreachable: the tokenizer never calls back re-entrantly.
            Err(_) => TokenSinkResult::Continue,
        }
    }
}

/// An element on the open-element stack, with the effects its start tag
/// had, so that closing it undoes exactly those.
#[allow(clippy::struct_excessive_bools, reason = "independent effects of one start tag")]
struct Open {
    name: LocalName,
    /// This element hides its content (counted in `Converter::skip`).
    skip: bool,
    /// Line break (1) or blank line (2) requested at the end.
    block: u8,
    /// Pushed a list context.
    list: bool,
    /// Is a list item that set a bullet.
    item: bool,
    /// Entered preformatted text.
    pre: bool,
    /// Started a link.
    link: bool,
}

/// An open `ul` or `ol`.
struct List {
    ordered: bool,
    next: i64,
}

/// An open `<a href>`.
struct Link {
    href: String,
    /// First non-empty `alt` of an image inside the link.
    alt: Option<String>,
}

/// Tokens in, text out.
struct Converter {
    w: Writer,
    stack: Vec<Open>,
    /// Number of open elements that hide their content.
    skip: usize,
    /// Number of open preformatted elements.
    pre: usize,
    lists: Vec<List>,
    link: Option<Link>,
}

impl Converter {
    fn new(input_len: usize) -> Self {
        Converter {
            w: Writer::new(input_len / 3),
            stack: Vec::new(),
            skip: 0,
            pre: 0,
            lists: Vec::new(),
            link: None,
        }
    }

    fn token(&mut self, token: Token) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return self.start_tag(&tag),
                TagKind::EndTag => self.end_tag(&tag.name),
            },
            Token::CharacterTokens(text) => self.characters(&text),
            Token::NullCharacterToken
            | Token::CommentToken(_)
            | Token::DoctypeToken(_)
            | Token::ParseError(_)
            | Token::EOFToken => {}
        }
        TokenSinkResult::Continue
    }

    fn comment_marker(&mut self, number: &str) {
        let mut marker = String::with_capacity(number.len() + 6);
        marker.push(MARKER_START);
        marker.push_str(number);
        marker.push(MARKER_END);
        self.w.marker(&marker);
    }

    fn characters(&mut self, text: &str) {
        if self.top_is(&local_name!("head")) && text.contains(|c: char| !c.is_whitespace()) {
            // Text cannot live in <head>: the browser closes it first.
            self.pop_to(self.stack.len() - 1);
        }
        if self.skip > 0 {
            return;
        }
        if self.pre > 0 {
            self.w.pre_text(text);
        } else {
            self.w.text(text);
        }
    }

    fn start_tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name = tag.name.clone();
        if self.top_is(&local_name!("head")) && !is_head_content(&name) {
            self.pop_to(self.stack.len() - 1);
        }
        self.close_implied_by_start(&name);

        let hidden = is_hidden(tag);
        if is_void(&name) {
            if self.skip == 0 && !hidden {
                self.void_element(&name, tag);
            }
            return TokenSinkResult::Continue;
        }

        let mut open = Open {
            name: name.clone(),
            skip: hidden || is_skipped(&name),
            block: 0,
            list: false,
            item: false,
            pre: false,
            link: false,
        };
        if open.skip {
            self.skip += 1;
        } else if self.skip == 0 {
            self.apply_start(tag, &mut open);
        }
        self.stack.push(open);

        match raw_text_kind(&name) {
            Some(Raw::Kind(kind)) => TokenSinkResult::RawData(kind),
            Some(Raw::Plaintext) => TokenSinkResult::Plaintext,
            None => TokenSinkResult::Continue,
        }
    }

    /// Effects of a visible, non-void start tag.
    fn apply_start(&mut self, tag: &Tag, open: &mut Open) {
        let name = &tag.name;
        open.block = block_break(name);
        if is_list(name) {
            if !self.lists.is_empty() {
                // Nested lists hang off their item, without blank lines.
                open.block = 1;
            }
            let start = if *name == local_name!("ol") {
                attr(tag, &local_name!("start"))
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .unwrap_or(1)
            } else {
                1
            };
            self.lists.push(List {
                ordered: *name == local_name!("ol"),
                next: start,
            });
            self.w.list_depth = self.lists.len();
            open.list = true;
        }
        if open.block > 0 {
            self.w.request_break(open.block);
        }
        if *name == local_name!("li") {
            let bullet = match self.lists.last_mut() {
                Some(list) if list.ordered => {
                    let n = list.next;
                    list.next = list.next.saturating_add(1);
                    format!("{n}. ")
                }
                _ => "- ".to_owned(),
            };
            self.w.prefix = Some(bullet);
            open.item = true;
        }
        if is_preformatted(name) {
            self.pre += 1;
            self.w.pre_fresh = true;
            open.pre = true;
        }
        if *name == local_name!("a") {
            if let Some(href) = attr(tag, &local_name!("href")) {
                self.link = Some(Link {
                    href: href.to_owned(),
                    alt: None,
                });
                self.w.link_text = Some(String::new());
                open.link = true;
            }
        }
    }

    fn void_element(&mut self, name: &LocalName, tag: &Tag) {
        match *name {
            local_name!("br") => self.w.hard_break(),
            local_name!("hr") => {
                self.w.request_break(1);
                self.w.word(&"-".repeat(HR_WIDTH));
                self.w.request_break(1);
            }
            local_name!("img") => {
                let alt = attr(tag, &local_name!("alt"))
                    .map(collapse_whitespace)
                    .unwrap_or_default();
                if alt.is_empty() {
                    return;
                }
                match &mut self.link {
                    Some(link) => {
                        if link.alt.is_none() {
                            link.alt = Some(alt);
                        }
                    }
                    None => self.w.text(&alt),
                }
            }
            _ => {}
        }
    }

    fn end_tag(&mut self, name: &LocalName) {
        match *name {
            // Browsers treat `</br>` as `<br>`.
            local_name!("br") => {
                if self.skip == 0 {
                    self.w.hard_break();
                }
            }
            // Content after these still belongs to the body; everything is
            // closed at the end of input anyway.
            local_name!("body") | local_name!("html") => {}
            local_name!("p") => match self.find_open(name, is_button_scope_boundary) {
                Some(i) => self.pop_to(i),
                // A stray `</p>` makes an empty paragraph.
                None if self.skip == 0 => self.w.request_break(2),
                None => {}
            },
            _ => {
                let found = if is_table_part(name) {
                    self.find_open(name, |n| {
                        matches!(*n, local_name!("table") | local_name!("html") | local_name!("template"))
                    })
                } else if *name == local_name!("table") {
                    self.find_open(name, |n| matches!(*n, local_name!("html") | local_name!("template")))
                } else if is_special(name) || is_formatting(name) {
                    self.find_open(name, is_scope_boundary)
                } else {
                    // "Any other end tag": stop at the first special element.
                    self.find_open(name, is_special)
                };
                if let Some(i) = found {
                    self.pop_to(i);
                }
            }
        }
    }

    /// Closes the elements a start tag implicitly ends (`<p>` before a
    /// block, the previous `<li>`, `<td>` or `<tr>`, an open `<a>`, …).
    fn close_implied_by_start(&mut self, name: &LocalName) {
        match *name {
            local_name!("li") => {
                self.close_item(|n| *n == local_name!("li"));
                self.close_p();
            }
            local_name!("dd") | local_name!("dt") => {
                self.close_item(|n| matches!(*n, local_name!("dd") | local_name!("dt")));
                self.close_p();
            }
            local_name!("td") | local_name!("th") => {
                let found = self.find_open_any(
                    |n| matches!(*n, local_name!("td") | local_name!("th")),
                    |n| matches!(*n, local_name!("tr") | local_name!("table") | local_name!("html")),
                );
                if let Some(i) = found {
                    self.pop_to(i);
                }
            }
            local_name!("tr") => {
                let found = self.find_open_any(
                    |n| *n == local_name!("tr"),
                    |n| matches!(*n, local_name!("table") | local_name!("html")),
                );
                if let Some(i) = found {
                    self.pop_to(i);
                }
            }
            local_name!("tbody") | local_name!("thead") | local_name!("tfoot") => {
                let found = self.find_open_any(
                    |n| matches!(*n, local_name!("tbody") | local_name!("thead") | local_name!("tfoot")),
                    |n| matches!(*n, local_name!("table") | local_name!("html")),
                );
                if let Some(i) = found {
                    self.pop_to(i);
                }
            }
            local_name!("a") => {
                if let Some(i) = self.find_open(name, is_scope_boundary) {
                    self.pop_to(i);
                }
            }
            local_name!("body") => {
                if let Some(i) = self.find_open(&local_name!("head"), |_| false) {
                    self.pop_to(i);
                }
            }
            local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6") => {
                self.close_p();
                if self.stack.last().is_some_and(|o| is_heading(&o.name)) {
                    self.pop_to(self.stack.len() - 1);
                }
            }
            _ => {
                if closes_p(name) {
                    self.close_p();
                }
            }
        }
    }

    /// Closes an open `<p>` in button scope, if any.
    fn close_p(&mut self) {
        if let Some(i) = self.find_open(&local_name!("p"), is_button_scope_boundary) {
            self.pop_to(i);
        }
    }

    /// The "close the previous list item" walk of the HTML spec.
    fn close_item(&mut self, is_item: fn(&LocalName) -> bool) {
        let found = self.find_open_any(is_item, |n| {
            is_special(n) && !matches!(*n, local_name!("address") | local_name!("div") | local_name!("p"))
        });
        if let Some(i) = found {
            self.pop_to(i);
        }
    }

    fn top_is(&self, name: &LocalName) -> bool {
        self.stack.last().is_some_and(|o| o.name == *name)
    }

    fn find_open(&self, name: &LocalName, boundary: fn(&LocalName) -> bool) -> Option<usize> {
        self.find_open_any(|n| n == name, boundary)
    }

    /// Index of the topmost open element matching `wanted`, looking down
    /// the stack until an element matching `boundary` (exclusive).
    fn find_open_any(
        &self,
        wanted: impl Fn(&LocalName) -> bool,
        boundary: impl Fn(&LocalName) -> bool,
    ) -> Option<usize> {
        for (i, open) in self.stack.iter().enumerate().rev().take(MAX_SCOPE_SEARCH) {
            if wanted(&open.name) {
                return Some(i);
            }
            if boundary(&open.name) {
                return None;
            }
        }
        None
    }

    /// Closes the element at `index` and everything opened after it.
    fn pop_to(&mut self, index: usize) {
        while self.stack.len() > index {
            match self.stack.pop() {
                Some(open) => self.apply_end(&open),
                None => break,
            }
        }
    }

    fn apply_end(&mut self, open: &Open) {
        if open.skip {
            self.skip = self.skip.saturating_sub(1);
            return;
        }
        if open.link {
            self.finish_link();
        }
        if open.item {
            self.w.prefix = None;
            self.w.request_break(1);
        }
        if open.list {
            self.lists.pop();
            self.w.list_depth = self.lists.len();
        }
        if open.pre {
            self.pre = self.pre.saturating_sub(1);
            self.w.pre_fresh = false;
        }
        if open.block > 0 {
            self.w.request_break(open.block);
        }
    }

    /// Writes what a closed link adds after (or instead of) its text.
    fn finish_link(&mut self) {
        let Some(link) = self.link.take() else {
            return;
        };
        let text = self.w.link_text.take().unwrap_or_default();
        let url = link.href.trim();
        if !text.is_empty() {
            if shows_url(&text, url) {
                self.w.append_inline(&format!("({url})"));
            }
            return;
        }
        if let Some(alt) = link.alt {
            self.w.text(&alt);
            if shows_url(&alt, url) {
                self.w.append_inline(&format!("({url})"));
            }
            return;
        }
        if !url.is_empty() && !url.starts_with('#') {
            self.w.word(url);
        }
    }

    fn finish(mut self) -> String {
        self.pop_to(0);
        self.w.finish()
    }
}

/// Whether a link's URL is written after its text.
fn shows_url(text: &str, url: &str) -> bool {
    if url.is_empty() || url.starts_with('#') || text == url {
        return false;
    }
    if let Some(rest) = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
        .and_then(|_| url.get(7..))
    {
        let address = rest.split('?').next().unwrap_or(rest);
        if address.eq_ignore_ascii_case(text) {
            return false;
        }
    }
    true
}

/// Collapses runs of whitespace to one space and trims the ends.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn attr<'a>(tag: &'a Tag, name: &LocalName) -> Option<&'a str> {
    tag.attrs.iter().find(|a| a.name.local == *name).map(|a| &*a.value)
}

/// `hidden` attribute, `aria-hidden="true"` (content repeated for sighted readers only, such as an
/// image link beside the same text link), or an inline style whose (last) `display` is `none`.
fn is_hidden(tag: &Tag) -> bool {
    tag.attrs.iter().any(|a| match a.name.local {
        local_name!("hidden") => true,
        local_name!("style") => style_hides(&a.value),
        ref other => &**other == "aria-hidden" && a.value.trim().eq_ignore_ascii_case("true"),
    })
}

/// Whether a `style` attribute value sets `display: none`.
fn style_hides(style: &str) -> bool {
    let mut hidden = false;
    for declaration in style.split(';') {
        let Some((property, value)) = declaration.split_once(':') else {
            continue;
        };
        if !property.trim().eq_ignore_ascii_case("display") {
            continue;
        }
        let value = value.trim();
        hidden = value.get(..4).is_some_and(|v| v.eq_ignore_ascii_case("none"))
            && value
                .get(4..)
                .is_some_and(|rest| rest.trim_start().is_empty() || rest.trim_start().starts_with('!'));
    }
    hidden
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// The text form of comment marker `n`.
    fn m(n: u32) -> String {
        format!("{MARKER_START}{n}{MARKER_END}")
    }

    fn t(html: &str) -> String {
        html_to_text(html)
    }

    // ---- basics -------------------------------------------------------

    #[test]
    fn empty_and_whitespace_input() {
        assert_eq!(t(""), "");
        assert_eq!(t("   \n\t "), "");
        assert_eq!(t("<html><body>\n  </body></html>"), "");
        assert_eq!(t("\u{feff}Hi"), "Hi\n");
    }

    #[test]
    fn paragraphs_are_separated_by_one_blank_line() {
        assert_eq!(t("<p>Hello</p><p>World</p>"), "Hello\n\nWorld\n");
        assert_eq!(t("<p>A</p>\n\n<p></p><p> </p><div></div>\n<p>B</p>"), "A\n\nB\n");
        assert_eq!(t("<div>A</div><div>B</div>"), "A\nB\n");
        assert_eq!(t("<div><p>A</p></div><div>B</div>"), "A\n\nB\n");
    }

    #[test]
    fn whitespace_is_collapsed() {
        assert_eq!(
            t("<p>  Hello \n\n\t  big   <b>wide</b>\n world  </p>"),
            "Hello big wide world\n"
        );
        assert_eq!(t("<p>a<span> </span>b</p>"), "a b\n");
        assert_eq!(t("<p>a<span>b</span>c</p>"), "abc\n");
        assert_eq!(t("<div>  <p>  x  </p>  </div>"), "x\n");
    }

    #[test]
    fn entities_are_decoded_and_nbsp_is_a_space() {
        assert_eq!(
            t("<p>Fish &amp; Chips &lt;3 &gt; &quot;q&quot; &#8217; &#x2014; &copy;</p>"),
            "Fish & Chips <3 > \"q\" \u{2019} \u{2014} \u{a9}\n"
        );
        assert_eq!(t("<p>a&nbsp;b&nbsp;&nbsp;&nbsp;c</p>"), "a b c\n");
        assert_eq!(t("<p>&nbsp;</p><p>x&nbsp;</p>"), "x\n");
        assert_eq!(t("AT&amp;T and AT&T"), "AT&T and AT&T\n");
    }

    #[test]
    fn br_and_hr() {
        assert_eq!(t("a<br>b<br/>c"), "a\nb\nc\n");
        assert_eq!(t("a<br><br>b"), "a\n\nb\n");
        assert_eq!(t("a<br><br><br><br>b"), "a\n\nb\n");
        assert_eq!(t("<p>a<br></p><p>b</p>"), "a\n\nb\n");
        assert_eq!(t("<td>a<br></td><td>b</td>"), "a\nb\n");
        assert_eq!(t("<br><br>a"), "a\n");
        assert_eq!(t("a</br>b"), "a\nb\n");
        assert_eq!(
            t("<p>above</p><hr><p>below</p>"),
            format!("above\n\n{}\n\nbelow\n", "-".repeat(40))
        );
        assert_eq!(t("a<hr>b"), format!("a\n{}\nb\n", "-".repeat(40)));
    }

    #[test]
    fn headings_on_their_own_lines() {
        assert_eq!(
            t("<h1>Title</h1>Intro<h2>Sub</h2><h3>Third</h3><p>Body</p>"),
            "Title\n\nIntro\n\nSub\n\nThird\n\nBody\n"
        );
        assert_eq!(t("<h1>  Big \n Title </h1>"), "Big Title\n");
    }

    #[test]
    fn no_trailing_spaces_and_single_final_newline() {
        let out = t("<p>a   </p>  <div>b <span> </span></div>   <p>  c  </p>   ");
        assert_eq!(out, "a\n\nb\n\nc\n");
        for line in out.lines() {
            assert_eq!(line, line.trim_end());
        }
    }

    #[test]
    fn preformatted_text_keeps_whitespace() {
        assert_eq!(
            t("<p>x</p><pre>\n  line 1\n    line  2\n</pre><p>y</p>"),
            "x\n\n  line 1\n    line  2\n\ny\n"
        );
        assert_eq!(t("<pre>a&nbsp;&nbsp;b</pre>"), "a  b\n");
        assert_eq!(t("<pre>a\n\n\n\nb   \n</pre>"), "a\n\nb\n");
    }

    // ---- links --------------------------------------------------------

    #[test]
    fn link_text_and_url() {
        assert_eq!(
            t(r#"<p>Visit <a href="https://x.example/a?b=1&amp;c=2">our shop</a> today.</p>"#),
            "Visit our shop (https://x.example/a?b=1&c=2) today.\n"
        );
    }

    #[test]
    fn link_text_equal_to_url_is_written_once() {
        assert_eq!(
            t(r#"<a href="https://x.example/">https://x.example/</a>"#),
            "https://x.example/\n"
        );
    }

    #[test]
    fn link_with_empty_or_fragment_url_keeps_only_text() {
        assert_eq!(t(r#"<a href="">Text</a>"#), "Text\n");
        assert_eq!(t(r##"<a href="#">Text</a>"##), "Text\n");
        assert_eq!(t(r##"<a href="#top">Back to top</a>"##), "Back to top\n");
        assert_eq!(t(r#"<a href="  ">Text</a>"#), "Text\n");
        assert_eq!(t(r#"<a name="x">Anchor</a> text"#), "Anchor text\n");
    }

    #[test]
    fn link_without_text_uses_image_alt_then_url() {
        assert_eq!(
            t(r#"<a href="https://x.example/"><img src="logo.png" alt="Acme"></a>"#),
            "Acme (https://x.example/)\n"
        );
        assert_eq!(
            t(r#"<a href="https://x.example/"><img src="logo.png" alt=""></a>"#),
            "https://x.example/\n"
        );
        assert_eq!(t(r#"<a href="https://x.example/"> </a>"#), "https://x.example/\n");
        assert_eq!(t(r##"<a href="#"><img alt=""></a>"##), "");
        // Text wins over the image's alt.
        assert_eq!(
            t(r#"<a href="https://x.example/"><img alt="Icon"> Shop now</a>"#),
            "Shop now (https://x.example/)\n"
        );
        // Alt equal to the URL.
        assert_eq!(
            t(r#"<a href="https://x.example/"><img alt="https://x.example/"></a>"#),
            "https://x.example/\n"
        );
    }

    #[test]
    fn mailto_links() {
        assert_eq!(
            t(r#"<a href="mailto:help@x.example">help@x.example</a>"#),
            "help@x.example\n"
        );
        assert_eq!(
            t(r#"<a href="mailto:help@x.example?subject=Hi">help@x.example</a>"#),
            "help@x.example\n"
        );
        assert_eq!(
            t(r#"<a href="MAILTO:Help@X.example">help@x.example</a>"#),
            "help@x.example\n"
        );
        assert_eq!(
            t(r#"Write to <a href="mailto:help@x.example">our team</a>."#),
            "Write to our team (mailto:help@x.example).\n"
        );
    }

    #[test]
    fn link_around_blocks_and_button_markup() {
        let html = r##"<table><tr><td style="border-radius:4px" bgcolor="#f00">
            <a href="https://x.example/go" style="display:inline-block;padding:8px">
              <span>Shop</span>   <strong>now</strong>
            </a></td></tr></table>"##;
        assert_eq!(t(html), "Shop now (https://x.example/go)\n");
        assert_eq!(
            t(r#"<a href="https://x.example/"><p>Title</p></a><p>Next</p>"#),
            "Title (https://x.example/)\n\nNext\n"
        );
        // The cell closes the link.
        assert_eq!(
            t(r#"<table><tr><td><a href="u">A</td><td>B</td></tr></table>"#),
            "A (u)\nB\n"
        );
    }

    #[test]
    fn a_new_link_closes_the_previous_one() {
        assert_eq!(t(r#"<a href="1">one<a href="2">two</a>"#), "one (1)two (2)\n");
        assert_eq!(t(r#"<a href="1">one</a> <a href="2">two</a>"#), "one (1) two (2)\n");
    }

    #[test]
    fn unclosed_link_is_finished_at_end_of_input() {
        assert_eq!(
            t(r#"<a href="https://x.example/">Click"#),
            "Click (https://x.example/)\n"
        );
    }

    // ---- images -------------------------------------------------------

    #[test]
    fn images_outside_links_use_alt() {
        assert_eq!(
            t(r#"<p>Hi <img src="a.png" alt="smiley"> there</p>"#),
            "Hi smiley there\n"
        );
        assert_eq!(
            t(r#"<p>Hi <img src="a.png"> <img alt=""> <img alt="  "> there</p>"#),
            "Hi there\n"
        );
        assert_eq!(
            t(r#"<img alt="  two
            words ">"#),
            "two words\n"
        );
    }

    // ---- lists --------------------------------------------------------

    #[test]
    fn unordered_and_ordered_lists() {
        assert_eq!(
            t("<p>Intro</p><ul><li>One</li><li>Two</li></ul><p>After</p>"),
            "Intro\n\n- One\n- Two\n\nAfter\n"
        );
        assert_eq!(
            t("<ol><li>First<li>Second<li>Third</ol>"),
            "1. First\n2. Second\n3. Third\n"
        );
        assert_eq!(t(r#"<ol start="4"><li>d</li><li>e</li></ol>"#), "4. d\n5. e\n");
        assert_eq!(t("<ul><li></li><li> </li><li>x</li></ul>"), "- x\n");
    }

    #[test]
    fn nested_lists_indent_two_spaces_per_level() {
        let html = "<ul><li>A<ul><li>A1</li><li>A2<ol><li>deep</li></ol></li></ul></li><li>B</li></ul>";
        assert_eq!(t(html), "- A\n  - A1\n  - A2\n    1. deep\n- B\n");
    }

    #[test]
    fn very_deep_lists_stop_indenting() {
        let html = format!("{}<li>x", "<ul><li>".repeat(2000));
        let out = t(&html);
        assert_eq!(out, format!("{}- x\n", " ".repeat(18)));
    }

    #[test]
    fn list_item_continuation_lines_are_indented() {
        assert_eq!(t("<ul><li>line 1<br>line 2</li></ul>"), "- line 1\n  line 2\n");
    }

    // ---- skipped content ------------------------------------------------

    #[test]
    fn head_style_script_title_are_skipped() {
        let html = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>Subject line</title>
            <style type="text/css">p { color: red } a < b { }</style>
            <script>if (a < b && c > d) { document.write("<p>no</p>") }</script>
            </head><body><p>Body</p><style>.x{}</style><script>var x = "<b>";</script></body></html>"#;
        assert_eq!(t(html), "Body\n");
    }

    #[test]
    fn head_without_end_tag_is_closed_by_body_content() {
        assert_eq!(t("<head><title>T</title><body><p>Body</p>"), "Body\n");
        assert_eq!(t("<head><title>T</title><div>Body</div>"), "Body\n");
    }

    #[test]
    fn hidden_preheader_is_skipped() {
        let html = r#"<body>
            <div style="display:none;font-size:1px;color:#fff;max-height:0;overflow:hidden;mso-hide:all">
              Preheader text &zwnj;&nbsp;&zwnj;&nbsp; <span>more <b>nested</b></span><br><img src="t.gif" alt="x">
            </div>
            <p>Visible</p></body>"#;
        assert_eq!(t(html), "Visible\n");
    }

    #[test]
    fn display_none_variants_and_hidden_attribute() {
        for style in [
            "display:none",
            "DISPLAY: NONE",
            "color:red; display :  none ;",
            "display:none !important",
            "display: none!important",
        ] {
            let html = format!(r#"<div style="{style}">secret</div><p>shown</p>"#);
            assert_eq!(t(&html), "shown\n", "style {style:?}");
        }
        assert_eq!(t(r"<span hidden>secret</span>shown"), "shown\n");
        assert_eq!(t(r#"<p hidden="hidden">secret</p><p>shown</p>"#), "shown\n");
        // Not hidden: other display values, a later declaration, look-alikes.
        assert_eq!(t(r#"<div style="display:block">a</div>"#), "a\n");
        assert_eq!(t(r#"<div style="display:none;display:block">a</div>"#), "a\n");
        assert_eq!(t(r#"<div style="display:nonesuch">a</div>"#), "a\n");
        assert_eq!(t(r#"<div style="mso-display:none">a</div>"#), "a\n");
    }

    #[test]
    fn hidden_nesting_depth_is_tracked() {
        let html = r#"<div style="display:none"><div>in</div><div><p>deeper</div>still hidden</div><p>out</p>"#;
        assert_eq!(t(html), "out\n");
        // Void elements never close: they must not change the depth.
        let html = r#"<div><img style="display:none" alt="gone"><br hidden>a</div><p>b</p>"#;
        assert_eq!(t(html), "a\n\nb\n");
        let html = r#"<div style="display:none"><img alt="x"><input hidden>x</div>after"#;
        assert_eq!(t(html), "after\n");
        // A stray end tag inside the hidden element does not end it early.
        let html = r#"<div style="display:none"></span></td>x</div>y"#;
        assert_eq!(t(html), "y\n");
    }

    // ---- tables -------------------------------------------------------

    #[test]
    fn typical_email_layout_tables() {
        let html = r#"
<table width="100%" cellpadding="0" cellspacing="0" border="0" role="presentation">
  <tr>
    <td align="center">
      <table width="600" cellpadding="0" cellspacing="0">
        <tr><td><img src="logo.png" alt="Acme Inc." width="120"></td></tr>
        <tr><td height="20">&nbsp;</td></tr>
        <tr>
          <td>
            <h1>Your order has shipped</h1>
            <p>Hi Jane,</p>
            <p>Good news: your order is on its way.</p>
          </td>
        </tr>
        <tr>
          <td>
            <table width="100%">
              <tr><th align="left">Item</th><th>Qty</th><th></th></tr>
              <tr><td>Blue mug</td><td>2</td><td></td></tr>
              <tr><td>Red mug</td><td>1</td><td>&nbsp;</td></tr>
            </table>
          </td>
        </tr>
        <tr><td></td></tr>
        <tr><td><td><td></tr>
        <tr>
          <td style="padding:20px">
            <a href="https://x.example/track" style="color:#fff">Track your package</a>
          </td>
        </tr>
        <tr><td><p style="font-size:12px">Acme Inc., 1 Main St.<br>Springfield</p></td></tr>
      </table>
    </td>
  </tr>
</table>"#;
        let expected = "Acme Inc.\n\nYour order has shipped\n\nHi Jane,\n\nGood news: your order is on its way.\n\nItem\nQty\nBlue mug\n2\nRed mug\n1\n\nTrack your package (https://x.example/track)\n\nAcme Inc., 1 Main St.\nSpringfield\n";
        assert_eq!(t(html), expected);
    }

    #[test]
    fn implied_cell_and_row_ends() {
        assert_eq!(t("<table><tr><td>a<td>b<tr><td>c</table>d"), "a\nb\nc\n\nd\n");
    }

    // ---- markers ------------------------------------------------------

    #[test]
    fn inline_markers_in_text_are_kept() {
        let html = "<p>Hi \u{E000}1\u{E001}, your code is <b>\u{E000}22\u{E001}</b>.</p>";
        assert_eq!(t(html), format!("Hi {}, your code is {}.\n", m(1), m(22)));
    }

    #[test]
    fn inline_markers_in_href_and_alt_are_kept_verbatim() {
        let html = "<a href=\"https://x.example/?u=\u{E000}12\u{E001}&amp;t=\u{E000}13\u{E001}\">Unsubscribe</a>";
        assert_eq!(
            t(html),
            format!("Unsubscribe (https://x.example/?u={}&t={})\n", m(12), m(13))
        );
        let html = "<p><img alt=\"\u{E000}3\u{E001}\"></p>";
        assert_eq!(t(html), format!("{}\n", m(3)));
        let html = "<a href=\"\u{E000}4\u{E001}\">\u{E000}4\u{E001}</a>";
        assert_eq!(t(html), format!("{}\n", m(4)));
        let html = "<a href=\"\u{E000}5\u{E001}\"><img alt=\"\"></a>";
        assert_eq!(t(html), format!("{}\n", m(5)));
    }

    #[test]
    fn comment_markers_become_inline_markers() {
        assert_eq!(
            t("<p>Hello <!--tsr:1-->friend<!--tsr:2-->!</p>"),
            format!("Hello {}friend{}!\n", m(1), m(2))
        );
        assert_eq!(t("<!--tsr:0-->"), format!("{}\n", m(0)));
        assert_eq!(t("<!--tsr:007-->x"), format!("{MARKER_START}007{MARKER_END}x\n"));
    }

    #[test]
    fn comment_markers_between_table_rows() {
        let html = "<table><tr><td>Header</td></tr><!--tsr:4--><tr><td>Item</td></tr><!--tsr:5--><tr><td>Footer</td></tr></table>";
        assert_eq!(t(html), format!("Header\n{}Item\n{}Footer\n", m(4), m(5)));
    }

    #[test]
    fn comment_markers_around_paragraphs_and_list_items() {
        let html = "<p>A</p><!--tsr:1--><p>B</p><!--tsr:2--><p>C</p>";
        assert_eq!(t(html), format!("A\n\n{}B\n\n{}C\n", m(1), m(2)));
        let html = "<ul><!--tsr:1--><li>x</li><!--tsr:2--></ul>";
        assert_eq!(t(html), format!("{}- x\n{}\n", m(1), m(2)));
    }

    #[test]
    fn comment_markers_inside_skipped_elements_are_kept() {
        let html = "<head><title>T<!--tsr:1--></title><style>a{}<!--tsr:2-->b{}</style></head>\
                    <div style=\"display:none\">x<!--tsr:3-->y \u{E000}9\u{E001}</div>\
                    <script>var a = 1 <!--tsr:4--> 2;</script><p>z</p>";
        assert_eq!(t(html), format!("{}{}{}{}z\n", m(1), m(2), m(3), m(4)));
    }

    #[test]
    fn comment_markers_inside_other_comments_and_tags_are_kept() {
        let html = "<!--[if mso]><table><tr><td><!--tsr:6--></td></tr></table><![endif]-->A";
        assert_eq!(t(html), format!("{}A\n", m(6)));
        let html = "<p title=\"x<!--tsr:7-->y\">B</p>";
        assert_eq!(t(html), format!("{}B\n", m(7)));
    }

    #[test]
    fn malformed_comment_markers_are_ignored_like_comments() {
        assert_eq!(t("a<!--tsr:-->b<!--tsr:x1-->c<!-- tsr:1 -->d"), "abcd\n");
    }

    #[test]
    fn mso_conditional_comments_are_ignored() {
        let html = r#"<!--[if mso]><table><tr><td width="600">Outlook only<![endif]-->
            <div>Everyone</div>
            <!--[if mso]></td></tr></table><![endif]-->
            <!--[if !mso]><!--><p>Non-Outlook</p><!--<![endif]-->"#;
        assert_eq!(t(html), "Everyone\n\nNon-Outlook\n");
    }

    // ---- malformed input ----------------------------------------------

    #[test]
    fn malformed_html_never_panics_and_degrades_gracefully() {
        assert_eq!(t("<p>unclosed <b>bold <i>italic"), "unclosed bold italic\n");
        assert_eq!(t("</td></tr></table>text</p>"), "text\n");
        assert_eq!(t("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2\n");
        assert_eq!(t("a <b"), "a\n");
        assert_eq!(t("x <!-- never closed"), "x\n");
        assert_eq!(t("<div><span>a</div>b</span>"), "a\nb\n");
        assert_eq!(t("<p>a<p>b"), "a\n\nb\n");
        assert_eq!(t("<<<>>>"), "<<<>>>\n");
        assert_eq!(t("<a href='x"), "");
        for html in [
            "<",
            "</",
            "<!",
            "<!-",
            "<!--",
            "&",
            "&#",
            "&#x",
            "&#99999999;",
            "<a",
            "<a href",
            "<style>",
            "<script><!--",
            "<title>",
            "<plaintext>a<b>",
            "<textarea>x",
            "</a></a>",
            "<ul><li><ol><li>",
            "<pre>",
            "<table><td>",
            "\0",
            "<p\0>",
            "<br/ >",
        ] {
            let _ = t(html);
        }
    }

    #[test]
    fn deep_nesting_is_handled() {
        let html = format!("{}x{}", "<div><span>".repeat(5000), "</span>".repeat(5000));
        assert_eq!(t(&html), "x\n");
        let html = format!("{}y", "<td><b>".repeat(3000));
        assert_eq!(t(&html), "y\n");
    }

    // ---- fuzz ---------------------------------------------------------

    /// Tiny linear congruential generator (Knuth's MMIX constants).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n as u64).expect("below n")
        }
    }

    /// Independent scan for `<!--tsr:N-->`, returning the N's in order.
    fn comment_markers_in(input: &str) -> Vec<String> {
        let b = input.as_bytes();
        let mut found = Vec::new();
        let mut i = 0;
        while i + 8 <= b.len() {
            if &b[i..i + 8] == b"<!--tsr:" {
                let mut j = i + 8;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j > i + 8 && b[j..].starts_with(b"-->") {
                    found.push(input[i + 8..j].to_owned());
                    i = j + 3;
                    continue;
                }
            }
            i += 1;
        }
        found
    }

    /// Every `\u{E000}digits\u{E001}` in the output, in order.
    fn markers_in_output(output: &str) -> Vec<String> {
        let chars: Vec<char> = output.chars().collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == MARKER_START {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                if j > i + 1 && j < chars.len() && chars[j] == MARKER_END {
                    found.push(chars[i + 1..j].iter().collect());
                    i = j + 1;
                    continue;
                }
            }
            i += 1;
        }
        found
    }

    fn is_subsequence(needle: &[String], haystack: &[String]) -> bool {
        let mut it = haystack.iter();
        needle.iter().all(|n| it.any(|h| h == n))
    }

    #[test]
    fn fuzz_never_panics_and_keeps_every_comment_marker() {
        const FRAGMENTS: &[&str] = &[
            "<p>",
            "</p>",
            "<div>",
            "</div>",
            "<div style=\"display:none\">",
            "<span hidden>",
            "</span>",
            "<table>",
            "</table>",
            "<tr>",
            "</tr>",
            "<td>",
            "</td>",
            "<th>",
            "<ul>",
            "</ul>",
            "<ol>",
            "</ol>",
            "<li>",
            "</li>",
            "<br>",
            "<hr>",
            "<pre>",
            "</pre>",
            "<a href=\"https://x.example/?u=\u{E000}1\u{E001}\">",
            "<a href=\"#\">",
            "<a href=\"mailto:a@b.c\">",
            "</a>",
            "<img alt=\"pic\">",
            "<img alt=\"\u{E000}2\u{E001}\">",
            "<img src=x>",
            "<style>",
            "</style>",
            "<script>",
            "</script>",
            "<title>",
            "</title>",
            "<head>",
            "</head>",
            "<body>",
            "<textarea>",
            "</textarea>",
            "<!--",
            "-->",
            "<!--[if mso]>",
            "<![endif]-->",
            "<!--tsr:",
            "<!--tsr:3-->",
            "<!--tsr:42-->",
            "<!--tsr:7-->",
            "tsr:",
            "<!",
            "<",
            ">",
            "/",
            "=",
            "\"",
            "'",
            "&",
            "&amp;",
            "&nbsp;",
            "&#",
            ";",
            " ",
            "  ",
            "\n",
            "\t",
            "word",
            "Hello",
            "\u{E000}",
            "\u{E001}",
            "\u{E000}5\u{E001}",
            "\u{feff}",
            "\0",
            "é",
            "日本",
            "<h1>",
            "</h1>",
            "<blockquote>",
            "<plaintext>",
            "<xmp>",
            "<svg>",
            "</svg>",
        ];
        let mut rng = Lcg(0x5eed_1234_abcd_0001);
        for case in 0..4000 {
            let parts = 1 + rng.below(60);
            let mut input = String::new();
            for _ in 0..parts {
                if rng.below(8) == 0 {
                    // Raw bytes, made valid UTF-8.
                    let len = 1 + rng.below(6);
                    let bytes: Vec<u8> = (0..len).map(|_| rng.next().to_le_bytes()[0]).collect();
                    input.push_str(&String::from_utf8_lossy(&bytes));
                } else {
                    input.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
                }
            }
            let output = html_to_text(&input);

            let wanted = comment_markers_in(&input);
            let got = markers_in_output(&output);
            assert!(
                is_subsequence(&wanted, &got),
                "case {case}: markers {wanted:?} not all in {got:?}\ninput: {input:?}\noutput: {output:?}"
            );
            // No marker is duplicated: every marker start in the output comes
            // from a marker character of the input or from a comment marker.
            let starts_in = input.matches(MARKER_START).count() + wanted.len();
            let starts_out = output.matches(MARKER_START).count();
            assert!(
                starts_out <= starts_in,
                "case {case}: {starts_out} marker starts for {starts_in}\ninput: {input:?}\noutput: {output:?}"
            );

            // Layout invariants.
            if !output.is_empty() {
                assert!(
                    output.ends_with('\n') && !output.ends_with("\n\n"),
                    "case {case}: {output:?}"
                );
                assert!(!output.starts_with('\n'), "case {case}: {output:?}");
            }
            assert!(!output.contains("\n\n\n"), "case {case}: {output:?}");
            for line in output.lines() {
                assert_eq!(line, line.trim_end(), "case {case}: trailing space in {output:?}");
            }
        }
    }

    // ---- speed --------------------------------------------------------

    /// A ~30 KB newsletter-like document.
    fn sample_email() -> String {
        let mut html = String::from(
            r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>News</title>
<style>body{margin:0} .btn a{color:#fff} @media (max-width:600px){.col{width:100%!important}}</style>
<!--[if mso]><style>table{border-collapse:collapse}</style><![endif]--></head>
<body><div style="display:none;max-height:0;overflow:hidden">Preheader &zwnj;&nbsp;&zwnj;&nbsp;</div>
<table width="100%" role="presentation"><tr><td align="center"><table width="600">"#,
        );
        let mut i = 0;
        while html.len() < 30_000 {
            let _ = write!(
                html,
                r##"<!--tsr:{i}--><tr><td class="col" style="padding:16px 24px;font-family:Arial,sans-serif">
<h2 style="margin:0">Story number {i} &amp; more</h2>
<p style="font-size:14px;line-height:20px">Hello &#8220;{{name}}&#8221;, lorem ipsum dolor sit amet, consectetur
adipiscing elit {MARKER_START}{i}{MARKER_END}. Sed do eiusmod tempor&nbsp;incididunt ut labore.</p>
<table><tr><td class="btn" bgcolor="#0055ff"><a href="https://x.example/story/{i}?u={MARKER_START}7{MARKER_END}">Read more</a></td>
<td><img src="https://x.example/i/{i}.png" alt="" width="1" height="1"></td></tr></table>
<ul><li>Point one</li><li>Point <b>two</b></li></ul>
</td></tr>"##,
            );
            i += 1;
        }
        html.push_str("</table></td></tr></table></body></html>");
        html
    }

    #[test]
    fn aria_hidden_content_is_left_out() {
        let html = r#"<a href="https://x.example/p" aria-hidden="true" tabindex="-1"><img alt="Jacket"></a><a href="https://x.example/p">Jacket</a>"#;
        assert_eq!(html_to_text(html), "Jacket (https://x.example/p)\n");
    }

    #[test]
    fn a_30_kb_email_keeps_links_and_drops_the_preheader() {
        let html = sample_email();
        let text = html_to_text(&html);
        assert!(text.contains("Read more (https://x.example/story/0?u=\u{E000}7\u{E001})"));
        assert!(!text.contains("Preheader"));
    }
}

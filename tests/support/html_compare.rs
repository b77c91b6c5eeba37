//! HTML-aware comparison for golden files: two documents are equal when they have the same
//! elements, the same attributes (in any order; inline styles compared declaration by declaration)
//! and the same text (whitespace runs collapsed). Differences are shown as readable lines.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};

/// The normalized token lines of a document.
pub fn normalize(html: &str) -> Vec<String> {
    let sink = Sink(RefCell::new(Vec::new()));
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut lines = tokenizer.sink.0.take();
    // Adjacent text tokens are one text (a tokenizer splits text at character references).
    lines.dedup_by(|b, a| {
        if a.starts_with("text: ") && b.starts_with("text: ") {
            a.push_str(&b["text: ".len()..]);
            true
        } else {
            false
        }
    });
    lines
        .into_iter()
        .filter_map(|l| match l.strip_prefix("text: ") {
            Some(t) => {
                let t = collapse(t);
                (!t.is_empty()).then(|| format!("text: {t}"))
            }
            None => Some(l),
        })
        .collect()
}

/// `None` when equal, else a description of the first difference with context.
pub fn difference(expected: &str, actual: &str) -> Option<String> {
    let (e, a) = (normalize(expected), normalize(actual));
    if e == a {
        return None;
    }
    let i = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let context = |v: &[String]| v[i.saturating_sub(3)..(i + 4).min(v.len())].join("\n    ");
    Some(format!(
        "first difference at token {i} of {}/{}\n  expected:\n    {}\n  actual:\n    {}",
        e.len(),
        a.len(),
        context(&e),
        context(&a)
    ))
}

struct Sink(RefCell<Vec<String>>);

fn collapse(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

fn style(s: &str) -> String {
    s.split(';')
        .filter_map(|d| {
            let (k, v) = d.split_once(':')?;
            Some(format!("{}:{}", k.trim().to_ascii_lowercase(), collapse(v)))
        })
        .collect::<Vec<_>>()
        .join(";")
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let line = match token {
            Token::TagToken(tag) => {
                let mut attrs: Vec<String> = tag
                    .attrs
                    .iter()
                    .map(|a| {
                        let name: &str = &a.name.local;
                        let value = if name == "style" {
                            style(&a.value)
                        } else {
                            collapse(&a.value)
                        };
                        format!("{name}=\"{value}\"")
                    })
                    .collect();
                attrs.sort();
                match tag.kind {
                    TagKind::StartTag => format!("<{} {}>", &*tag.name, attrs.join(" ")),
                    TagKind::EndTag => format!("</{}>", &*tag.name),
                }
            }
            Token::CharacterTokens(t) => format!("text: {}", &*t),
            Token::CommentToken(c) => format!("<!--{}-->", collapse(&c)),
            Token::DoctypeToken(_) => "<!DOCTYPE>".to_owned(),
            _ => return TokenSinkResult::Continue,
        };
        self.0.borrow_mut().push(line);
        TokenSinkResult::Continue
    }
}

#[test]
fn attribute_order_and_whitespace_do_not_matter_but_content_does() {
    let a = r#"<td style="color: red;  padding:0" class="x" >Hello   world</td>"#;
    let b = "<td class=\"x\" style=\"color:red;padding: 0;\">\n  Hello world\n</td>";
    assert_eq!(difference(a, b), None);
    assert!(difference(a, r#"<td class="x" style="color: blue; padding: 0">Hello world</td>"#).is_some());
    assert!(difference(a, r#"<td class="x" style="color: red; padding: 0">Hello, world</td>"#).is_some());
    assert!(difference(a, r#"<th class="x" style="color: red; padding: 0">Hello world</th>"#).is_some());
}

//! Static checks on compiled markup: what breaks in inboxes or hurts accessibility.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

use crate::diagnostics::Diagnostic;

/// Finds images without alt text, links without a target, and CSS that Outlook or Gmail drop.
#[must_use]
pub fn lint_html(html: &str, block: &str) -> Vec<Diagnostic> {
    let sink = Sink {
        found: RefCell::new(Vec::new()),
    };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut messages = tokenizer.sink.found.take();
    messages.sort();
    messages.dedup();
    messages
        .into_iter()
        .map(|m| Diagnostic::warning(Some(block), None, m))
        .collect()
}

struct Sink {
    found: RefCell<Vec<String>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        let attr = |name: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == name)
                .map(|a| a.value.to_string())
        };
        let mut found = self.found.borrow_mut();
        match &*tag.name {
            "img" => {
                let role_presentation = attr("role").is_some_and(|r| r == "presentation");
                if attr("alt").is_none() && !role_presentation {
                    found.push(
                        "an image has no alt text (screen readers and image-blocking clients show nothing)".to_owned(),
                    );
                }
            }
            "a" => match attr("href") {
                None => found.push("a link has no href".to_owned()),
                Some(h) if h.trim().is_empty() || h.trim() == "#" => found.push("a link has an empty href".to_owned()),
                Some(_) => {}
            },
            _ => {}
        }
        if let Some(style) = attr("style") {
            let compact: String = style
                .to_ascii_lowercase()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            for (needle, what) in [
                ("display:flex", "display:flex"),
                ("display:grid", "display:grid"),
                ("position:absolute", "position:absolute"),
                ("position:fixed", "position:fixed"),
            ] {
                if compact.contains(needle) {
                    found.push(format!("{what} is ignored by Outlook and some Gmail apps; use tables"));
                }
            }
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_missing_alt_empty_links_and_unsafe_css() {
        let found = super::lint_html(
            r##"<img src="a.png"><img src="b.png" alt=""><a>x</a><a href="#">y</a><div style="display: flex">z</div>"##,
            "b1",
        );
        let messages: Vec<_> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(found.len(), 4, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("alt text")));
        assert!(messages.iter().any(|m| m.contains("no href")));
        assert!(messages.iter().any(|m| m.contains("empty href")));
        assert!(messages.iter().any(|m| m.contains("display:flex")));
        assert!(found.iter().all(|d| d.block.as_deref() == Some("b1")));
    }
}

//! The text being written: pending line breaks and spaces, list indentation and bullets, and the
//! text of the open link, so that empty elements write nothing and breaks never pile up.

use super::MAX_LIST_INDENT_LEVELS;

/// Builds the text with pending-break and pending-space bookkeeping, so
/// that empty elements produce nothing and breaks never pile up.
#[allow(clippy::struct_excessive_bools, reason = "independent pending states of the output")]
pub(super) struct Writer {
    out: String,
    /// Some real (non-marker) content has been written.
    started: bool,
    /// Newlines written since the last real content (0 = mid-line).
    newlines: u8,
    /// Newlines wanted before the next content: 1 line break, 2 blank line.
    pending_break: u8,
    /// Whitespace seen since the last content.
    pending_space: bool,
    /// A space was written (before a marker) that the link text has not
    /// recorded yet.
    link_space: bool,
    /// Number of open lists, for indentation.
    pub(super) list_depth: usize,
    /// Bullet of a list item whose first line has not started yet.
    pub(super) prefix: Option<String>,
    /// Text of the open link, whitespace-collapsed, markers excluded.
    pub(super) link_text: Option<String>,
    /// Just entered `<pre>`: a newline right after the tag is dropped.
    pub(super) pre_fresh: bool,
}

impl Writer {
    pub(super) fn new(capacity: usize) -> Self {
        Writer {
            out: String::with_capacity(capacity),
            started: false,
            newlines: 0,
            pending_break: 0,
            pending_space: false,
            link_space: false,
            list_depth: 0,
            prefix: None,
            link_text: None,
            pre_fresh: false,
        }
    }

    pub(super) fn request_break(&mut self, n: u8) {
        self.pending_break = self.pending_break.max(n.min(2));
    }

    /// `<br>`: one more line break than is already due.
    pub(super) fn hard_break(&mut self) {
        let due = self.pending_break.max(self.newlines);
        self.pending_break = due.saturating_add(1).min(2);
        self.pending_space = false;
    }

    pub(super) fn at_line_start(&self) -> bool {
        !self.started || self.newlines > 0
    }

    pub(super) fn flush_break(&mut self) {
        if self.started && self.pending_break > self.newlines {
            for _ in self.newlines..self.pending_break {
                self.out.push('\n');
            }
            self.newlines = self.pending_break;
        }
        self.pending_break = 0;
    }

    /// Prepares for real content; returns whether it is separated from the
    /// previous content (by a space or a line break).
    pub(super) fn begin_content(&mut self) -> bool {
        self.flush_break();
        let separated = if self.at_line_start() {
            let indent = match (&self.prefix, self.list_depth.min(MAX_LIST_INDENT_LEVELS)) {
                (_, 0) => 0,
                (Some(_), depth) => 2 * (depth - 1),
                (None, depth) => 2 * depth,
            };
            self.out.extend(std::iter::repeat_n(' ', indent));
            if let Some(prefix) = self.prefix.take() {
                self.out.push_str(&prefix);
            }
            self.started
        } else if self.pending_space {
            self.out.push(' ');
            true
        } else {
            false
        };
        self.pending_space = false;
        let separated = separated || std::mem::take(&mut self.link_space);
        self.started = true;
        self.newlines = 0;
        separated
    }

    /// Writes a run of non-whitespace characters.
    pub(super) fn word(&mut self, word: &str) {
        let separated = self.begin_content();
        self.out.push_str(word);
        if let Some(link_text) = &mut self.link_text {
            if separated && !link_text.is_empty() {
                link_text.push(' ');
            }
            link_text.push_str(word);
        }
    }

    /// Writes inline text, collapsing whitespace.
    pub(super) fn text(&mut self, text: &str) {
        let mut rest = text;
        loop {
            let trimmed = rest.trim_start_matches(char::is_whitespace);
            if trimmed.len() != rest.len() {
                self.pending_space = true;
            }
            if trimmed.is_empty() {
                break;
            }
            let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
            let (word, tail) = trimmed.split_at(end);
            self.word(word);
            rest = tail;
        }
    }

    /// Writes preformatted text: whitespace kept, newlines are line breaks.
    pub(super) fn pre_text(&mut self, text: &str) {
        let mut text = text;
        if std::mem::take(&mut self.pre_fresh) {
            text = text.strip_prefix('\n').unwrap_or(text);
        }
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.flush_break();
                if self.started {
                    self.out.push('\n');
                    self.newlines = self.newlines.saturating_add(1);
                }
                self.pending_space = false;
            }
            if !line.is_empty() {
                let line = line.replace('\u{a0}', " ");
                self.word(&line);
            }
        }
    }

    /// Writes a template marker without counting it as content.
    pub(super) fn marker(&mut self, marker: &str) {
        self.flush_break();
        if self.pending_space && !self.at_line_start() {
            self.out.push(' ');
            self.link_space = true;
        }
        self.pending_space = false;
        self.out.push_str(marker);
    }

    /// Appends to the current line (a link's URL after its text), leaving
    /// any pending break for what follows.
    pub(super) fn append_inline(&mut self, s: &str) {
        if self.started && self.newlines == 0 {
            self.out.push(' ');
            self.out.push_str(s);
        } else {
            self.pending_space = true;
            self.word(s);
        }
    }

    /// Final clean-up: trailing spaces, blank-line runs, leading and
    /// trailing blank lines, final newline.
    pub(super) fn finish(self) -> String {
        let mut result = String::with_capacity(self.out.len() + 1);
        let mut blank = false;
        for line in self.out.split('\n') {
            let line = line.trim_end();
            if line.is_empty() {
                blank = !result.is_empty();
                continue;
            }
            if !result.is_empty() {
                result.push('\n');
                if blank {
                    result.push('\n');
                }
            }
            blank = false;
            result.push_str(line);
        }
        if !result.is_empty() {
            result.push('\n');
        }
        result
    }
}

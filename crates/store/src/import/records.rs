//! Streaming record readers for CSV, JSON arrays and JSONL. Each record carries the 1-based line it
//! starts on, so every rejection names its line.

use std::io::{BufRead, BufReader, Read};

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;

/// A cell of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (CSV, or a JSON string).
    Text(String),
    /// A JSON value that is not a string.
    Json(Value),
}

impl Cell {
    /// The cell as text: JSON numbers and booleans as written, null as empty.
    #[must_use]
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Text(s) => std::borrow::Cow::Borrowed(s),
            Self::Json(Value::Null) => std::borrow::Cow::Borrowed(""),
            Self::Json(Value::String(s)) => std::borrow::Cow::Borrowed(s),
            Self::Json(v) => std::borrow::Cow::Owned(v.to_string()),
        }
    }
}

/// One record: its line and its named cells (header or JSON key as written).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: u64,
    /// (column, cell), in file order.
    pub cells: Vec<(String, Cell)>,
    /// A problem found while reading the record itself (ragged row, not an object, bad JSON).
    pub problem: Option<String>,
}

/// What a reader reports before records: the CSV header (JSON has none).
pub enum Event<'a> {
    /// The header row of a CSV file.
    Header(&'a [String]),
    /// A record.
    Record(Record),
}

/// Reads CSV: header row, then records; ragged rows are records with a problem.
///
/// # Errors
/// A message for a file that cannot be read as CSV at all.
pub fn read_csv(reader: impl Read, on: &mut dyn FnMut(Event<'_>) -> Result<(), String>) -> Result<(), String> {
    let breaks = std::rc::Rc::new(std::cell::RefCell::new(LineBreaks::default()));
    let tracked = BreakTracker {
        inner: reader,
        offset: 0,
        last_cr: false,
        quote: QuoteState::FieldStart,
        quote_start: 0,
        record_start: 0,
        breaks: std::rc::Rc::clone(&breaks),
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(tracked);
    let mut record = csv::StringRecord::new();
    let mut headers: Option<Vec<String>> = None;
    let mut held: Option<Record> = None;
    let line_at = |position: Option<&csv::Position>| position.map_or(0, |p| breaks.borrow_mut().line_at(p.byte()));
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = line_at(e.position());
                match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        on(Event::Record(Record {
                            line,
                            cells: Vec::new(),
                            problem: Some("the line is not valid text".to_owned()),
                        }))?;
                        continue;
                    }
                    csv::ErrorKind::Io(io) => return Err(io.to_string()),
                    _ => return Err(format!("line {line}: {e}")),
                }
            }
        }
        let line = line_at(record.position());
        match &headers {
            None => {
                if record.iter().all(|f| f.trim().is_empty()) && record.len() <= 1 {
                    continue;
                }
                let h: Vec<String> = record.iter().map(str::to_owned).collect();
                on(Event::Header(&h))?;
                headers = Some(h);
            }
            Some(h) => {
                if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
                    continue;
                }
                let problem =
                    (record.len() != h.len()).then(|| format!("found {} fields, expected {}", record.len(), h.len()));
                let cells = h
                    .iter()
                    .cloned()
                    .zip(record.iter().map(|f| Cell::Text(f.to_owned())))
                    .collect();
                // Each record waits for the next: only at the end of the file is it known whether
                // the last one closed its quotes.
                if let Some(previous) = held.replace(Record { line, cells, problem }) {
                    on(Event::Record(previous))?;
                }
            }
        }
    }
    if let Some(mut last) = held {
        if breaks.borrow().unterminated_quote {
            last.problem = Some(
                "a quoted field is never closed (a \" is missing); the rest of the file was read into it".to_owned(),
            );
        }
        on(Event::Record(last))?;
    }
    if headers.is_none() {
        return Err("the file holds no header row".to_owned());
    }
    Ok(())
}

/// Byte offsets of line breaks not yet passed, to turn a record's byte offset into the line an
/// editor shows (LF, CRLF and CR-only all end a line).
#[derive(Default)]
struct LineBreaks {
    pending: std::collections::VecDeque<u64>,
    passed: u64,
    /// The input ended inside a quoted field.
    unterminated_quote: bool,
}

/// Where the raw bytes stand in CSV quoting, as the csv crate reads them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl QuoteState {
    fn next(self, b: u8) -> Self {
        let separator = matches!(b, b',' | b'\n' | b'\r');
        match self {
            Self::Quoted => {
                if b == b'"' {
                    Self::QuoteInQuoted
                } else {
                    Self::Quoted
                }
            }
            Self::QuoteInQuoted if b == b'"' => Self::Quoted,
            Self::FieldStart if b == b'"' => Self::Quoted,
            _ if separator => Self::FieldStart,
            _ => Self::Unquoted,
        }
    }
}

impl LineBreaks {
    fn line_at(&mut self, byte: u64) -> u64 {
        while self.pending.front().is_some_and(|b| *b < byte) {
            self.pending.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

struct BreakTracker<R> {
    inner: R,
    offset: u64,
    last_cr: bool,
    quote: QuoteState,
    /// Where the quoted field being read opened.
    quote_start: u64,
    /// Where the record being read started.
    record_start: u64,
    breaks: std::rc::Rc<std::cell::RefCell<LineBreaks>>,
}

/// A record (one CSV row, quoted line breaks included) is at most this long: the csv crate holds a
/// whole record in memory, so without a bound an unclosed quote would read the rest of the file
/// into one field before the field limit could apply.
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// Why reading stopped early, as the I/O error the csv crate passes on.
fn too_long(what: &str, line: u64, cause: &str) -> std::io::Error {
    std::io::Error::other(format!(
        "line {line}: {what} runs on for more than {} MiB; {cause}the import stopped there and imported nothing",
        MAX_RECORD_BYTES / (1024 * 1024)
    ))
}

impl<R: Read> Read for BreakTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        for (i, b) in buf[..n].iter().enumerate() {
            let at = self.offset + i as u64;
            match b {
                b'\r' => breaks.pending.push_back(at),
                b'\n' if !self.last_cr => breaks.pending.push_back(at),
                _ => {}
            }
            self.last_cr = *b == b'\r';
            let before = self.quote;
            self.quote = self.quote.next(*b);
            if self.quote == QuoteState::Quoted && before == QuoteState::FieldStart {
                self.quote_start = at;
            }
            if matches!(b, b'\n' | b'\r') && before != QuoteState::Quoted {
                self.record_start = at + 1;
            }
            if at.saturating_sub(self.record_start) > MAX_RECORD_BYTES {
                return Err(if self.quote == QuoteState::Quoted {
                    let line = breaks.line_at(self.quote_start);
                    too_long("a quoted field", line, "a closing \" is probably missing; ")
                } else {
                    let line = breaks.line_at(self.record_start);
                    too_long("a line", line, "")
                });
            }
        }
        self.offset += n as u64;
        if n == 0 && !buf.is_empty() {
            breaks.unterminated_quote = self.quote == QuoteState::Quoted;
        }
        Ok(n)
    }
}

/// Reads JSON Lines: one object per line; blank lines are skipped.
///
/// # Errors
/// A read error.
pub fn read_jsonl(reader: impl Read, on: &mut dyn FnMut(Event<'_>) -> Result<(), String>) -> Result<(), String> {
    let reader = BufReader::with_capacity(1 << 20, reader);
    for (i, line) in reader.lines().enumerate() {
        let line_no = i as u64 + 1;
        let text = line.map_err(|e| format!("line {line_no}: {e}"))?;
        if text.trim().is_empty() {
            continue;
        }
        on(Event::Record(object_record(
            line_no,
            serde_json::from_str::<Value>(&text).map_err(|e| json_problem(&e)),
        )))?;
    }
    Ok(())
}

fn json_problem(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message.rfind(" at line ").map_or(message.as_str(), |i| &message[..i]);
    format!("invalid JSON: {message}")
}

fn object_record(line: u64, value: Result<Value, String>) -> Record {
    match value {
        Ok(Value::Object(map)) => Record {
            line,
            cells: map
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        if let Value::String(s) = v {
                            Cell::Text(s)
                        } else {
                            Cell::Json(v)
                        },
                    )
                })
                .collect(),
            problem: None,
        },
        Ok(other) => Record {
            line,
            cells: Vec::new(),
            problem: Some(format!("not an object but {}", kind_of(&other))),
        },
        Err(problem) => Record {
            line,
            cells: Vec::new(),
            problem: Some(problem),
        },
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Counts the lines a reader has handed out, so records know where they end.
struct LineCounter<R> {
    inner: R,
    lines: u64,
    last: u8,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        if n > 0 {
            self.last = buf[n - 1];
        }
        Ok(n)
    }
}

/// Reads a JSON array of objects element by element (a 1 GB file never sits in memory whole).
///
/// # Errors
/// JSON that is not an array, or is broken before the array ends.
pub fn read_json_array(reader: impl Read, on: &mut dyn FnMut(Event<'_>) -> Result<(), String>) -> Result<(), String> {
    // serde_json reads byte by byte from an unbuffered reader, so the count is exact at each
    // element's end; the element's own newlines give its first line.
    let counter = std::cell::RefCell::new(LineCounter {
        inner: BufReader::with_capacity(1 << 20, reader),
        lines: 0,
        last: 0,
    });
    let reader = RefReader(&counter);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let seed = ArraySeed {
        on,
        counter: &counter,
        stopped: None,
    };
    let result = serde::Deserializer::deserialize_any(&mut de, seed);
    match result {
        Ok(Ok(())) => de.end().map_err(|e| format!("after the array: {}", json_problem(&e))),
        Ok(Err(callback)) => Err(callback),
        Err(e) => {
            let line = e.line();
            Err(format!(
                "line {line}: {}",
                json_problem(&e).trim_start_matches("invalid JSON: ")
            ))
        }
    }
}

struct RefReader<'a, R>(&'a std::cell::RefCell<LineCounter<R>>);

impl<R: Read> Read for RefReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

struct ArraySeed<'a, 'b, R> {
    on: &'a mut dyn FnMut(Event<'_>) -> Result<(), String>,
    counter: &'b std::cell::RefCell<LineCounter<R>>,
    stopped: Option<String>,
}

impl<'de, R: Read> DeserializeSeed<'de> for ArraySeed<'_, '_, R> {
    type Value = Result<(), String>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, R: Read> Visitor<'de> for ArraySeed<'_, '_, R> {
    type Value = Result<(), String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of objects (or use JSONL, one object per line)")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Self::Value, A::Error> {
        while let Some(raw) = seq.next_element::<Box<serde_json::value::RawValue>>()? {
            if self.stopped.is_some() {
                continue;
            }
            let (lines, last) = {
                let c = self.counter.borrow();
                (c.lines, c.last)
            };
            // A bare number or word is only known to end when the parser reads the byte after it.
            let peeked_newline = u64::from(last == b'\n' && !raw.get().ends_with(['}', ']', '"']));
            let end_line = lines + 1 - peeked_newline;
            let own_lines = raw.get().matches('\n').count() as u64;
            let line = end_line.saturating_sub(own_lines);
            let value = serde_json::from_str::<Value>(raw.get()).map_err(|e| json_problem(&e));
            if let Err(e) = (self.on)(Event::Record(object_record(line, value))) {
                self.stopped = Some(e);
            }
        }
        Ok(self.stopped.map_or(Ok(()), Err))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(serde::de::Error::custom(
            "the file holds one JSON object, not an array of objects",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Reader = fn(&[u8], &mut dyn FnMut(Event<'_>) -> Result<(), String>) -> Result<(), String>;

    fn collect(f: Reader, input: &str) -> (Vec<Record>, Result<(), String>) {
        let mut out = Vec::new();
        let r = f(input.as_bytes(), &mut |e| {
            if let Event::Record(r) = e {
                out.push(r);
            }
            Ok(())
        });
        (out, r)
    }

    fn csv(i: &[u8], on: &mut dyn FnMut(Event<'_>) -> Result<(), String>) -> Result<(), String> {
        read_csv(i, on)
    }
    fn jsonl(i: &[u8], on: &mut dyn FnMut(Event<'_>) -> Result<(), String>) -> Result<(), String> {
        read_jsonl(i, on)
    }
    fn json(i: &[u8], on: &mut dyn FnMut(Event<'_>) -> Result<(), String>) -> Result<(), String> {
        read_json_array(i, on)
    }

    #[test]
    fn csv_lines_quoted_newlines_and_ragged_rows() {
        let (rows, r) = collect(csv, "email,name\r\na@x.io,\"Ann\nLee\"\rb@x.io,Bob,extra\nc@x.io\n");
        assert!(r.is_ok());
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4, 5]);
        assert_eq!(rows[0].cells[1].1, Cell::Text("Ann\nLee".into()));
        assert_eq!(rows[1].problem.as_deref(), Some("found 3 fields, expected 2"));
        assert_eq!(rows[2].problem.as_deref(), Some("found 1 fields, expected 2"));
    }

    #[test]
    fn an_unclosed_quote_stops_the_read_at_the_record_bound_instead_of_swallowing_the_file() {
        // 20 MiB of lines after an unclosed quote: the csv crate would hold them all in one field.
        let mut input = b"email,notes\nada@example.com,\"never closed\n".to_vec();
        let line = b"ben@example.com,some text that is really a row of its own\n";
        while input.len() < 20 * 1024 * 1024 {
            input.extend_from_slice(line);
        }
        let mut records = 0;
        let result = read_csv(&input[..], &mut |e| {
            if let Event::Record(_) = e {
                records += 1;
            }
            Ok(())
        });
        let message = result.expect_err("stopped");
        assert!(
            message.contains("line 2") && message.contains("quoted field") && message.contains("16 MiB"),
            "{message}"
        );
        assert_eq!(records, 0);
        // A 20 MiB line without quotes stops the same way.
        let mut input = b"email,notes\nada@example.com,".to_vec();
        input.resize(20 * 1024 * 1024, b'x');
        let message = read_csv(&input[..], &mut |_| Ok(())).expect_err("stopped");
        assert!(message.contains("line 2: a line runs on"), "{message}");
    }

    #[test]
    fn an_unclosed_quote_at_the_end_is_a_problem_of_the_last_record() {
        let (rows, r) = collect(csv, "email,name\na@x.io,Ann\nb@x.io,\"Bo\nc@x.io,Cy\n");
        assert!(r.is_ok());
        assert_eq!(rows.len(), 2);
        assert!(rows[0].problem.is_none());
        assert!(
            rows[1].problem.as_deref().is_some_and(|p| p.contains("never closed")),
            "{:?}",
            rows[1]
        );
        let (rows, _) = collect(csv, "email,name\na@x.io,\"Ann \"\"A\"\" Lee\"\n");
        assert!(
            rows[0].problem.is_none(),
            "doubled quotes inside a quoted field are fine"
        );
    }

    #[test]
    fn json_arrays_stream_and_name_lines() {
        let (rows, r) = collect(
            json,
            "[\n  {\"email\": \"a@x.io\"},\n  {\n    \"email\": \"b@x.io\"\n  },\n  7\n]\n",
        );
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3, 6]);
        assert_eq!(rows[2].problem.as_deref(), Some("not an object but a number"));
        let (_, r) = collect(json, "{\"email\": 1}");
        assert!(r.expect_err("object").contains("not an array"));
        let (_, r) = collect(json, "[{\"a\": 1}, {\"b\": ");
        assert!(r.is_err());
    }

    #[test]
    fn jsonl_reports_bad_lines_and_skips_blank_ones() {
        let (rows, r) = collect(jsonl, "{\"a\": 1}\n\n{broken\n{\"b\": \"x\"}\n");
        assert!(r.is_ok());
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 3, 4]);
        assert!(rows[1]
            .problem
            .as_deref()
            .is_some_and(|p| p.starts_with("invalid JSON")));
    }
}

//! Batch rendering: one recipient context per JSONL line, one `.html` and `.txt` per recipient,
//! rendered on every core, with a summary of fallbacks and failures. A bad line is reported with its
//! number and skipped, never silently.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use serde::Serialize;
use serde_json::Value;
use tessera_core::render::{personalize_into, Event, Output, RenderReport};
use tessera_core::Compiled;

use crate::error::WorkspaceError;

/// A line that could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineFailure {
    /// 1-based line number in the input.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// One kind of fallback or hidden block, and how many recipients hit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// What happened, in words.
    pub what: String,
    /// How many times.
    pub count: u64,
}

/// The outcome of a batch.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchSummary {
    /// Recipients rendered.
    pub rendered: u64,
    /// Lines skipped, with reasons.
    pub failures: Vec<LineFailure>,
    /// Fallbacks, hidden blocks and warnings, most frequent first.
    pub tallies: Vec<Tally>,
    /// Where the files went.
    pub out_dir: PathBuf,
}

/// Renders every line of `input` into `out_dir` (`000001.html`, `000001.txt`, ... by line number).
/// `progress` is called with the number of lines done so far.
///
/// # Errors
/// The output folder cannot be created or the input cannot be read; a bad line is not an error.
pub fn render_batch(
    compiled: &Compiled,
    input: impl BufRead + Send,
    out_dir: &Path,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<BatchSummary, WorkspaceError> {
    std::fs::create_dir_all(out_dir).map_err(|source| WorkspaceError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let threads = threads.max(1);
    let (tx, rx) = mpsc::sync_channel::<Vec<(u64, String)>>(threads * 4);
    let rx = Arc::new(Mutex::new(rx));
    let done = AtomicU64::new(0);
    let results: Mutex<(u64, Vec<LineFailure>, HashMap<Event, u64>)> = Mutex::new((0, Vec::new(), HashMap::new()));
    let read_error: Mutex<Option<WorkspaceError>> = Mutex::new(None);

    std::thread::scope(|scope| {
        for _ in 0..threads {
            let rx = Arc::clone(&rx);
            let (done, results) = (&done, &results);
            scope.spawn(move || {
                let mut out = Output::default();
                let mut rendered = 0u64;
                let mut failures = Vec::new();
                let mut events: HashMap<Event, u64> = HashMap::new();
                loop {
                    let chunk = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => break,
                    };
                    let Ok(chunk) = chunk else { break };
                    let n = chunk.len() as u64;
                    for (line, text) in chunk {
                        match render_line(compiled, &text, out_dir, line, &mut out) {
                            Ok(()) => {
                                rendered += 1;
                                for e in out.events.drain(..) {
                                    *events.entry(e).or_default() += 1;
                                }
                            }
                            Err(reason) => failures.push(LineFailure { line, reason }),
                        }
                    }
                    progress(done.fetch_add(n, Ordering::Relaxed) + n);
                }
                if let Ok(mut r) = results.lock() {
                    r.0 += rendered;
                    r.1.append(&mut failures);
                    for (e, c) in events {
                        *r.2.entry(e).or_default() += c;
                    }
                }
            });
        }
        let mut chunk = Vec::with_capacity(256);
        for (i, line) in input.lines().enumerate() {
            let number = i as u64 + 1;
            match line {
                Ok(text) => {
                    if text.trim().is_empty() {
                        continue;
                    }
                    chunk.push((number, text));
                    if chunk.len() == 256 && tx.send(std::mem::replace(&mut chunk, Vec::with_capacity(256))).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    if let Ok(mut slot) = read_error.lock() {
                        *slot = Some(WorkspaceError::Io {
                            path: PathBuf::from(format!("input line {number}")),
                            source: e,
                        });
                    }
                    break;
                }
            }
        }
        if !chunk.is_empty() {
            let _ = tx.send(chunk);
        }
        drop(tx);
    });
    if let Some(e) = read_error.into_inner().ok().flatten() {
        return Err(e);
    }
    let (rendered, mut failures, events) = results.into_inner().unwrap_or_default();
    failures.sort_by_key(|f| f.line);
    let mut tallies: HashMap<String, u64> = HashMap::new();
    for (event, count) in events {
        let report = RenderReport::build(compiled, &[event], 0, 0);
        let labels = report
            .fallbacks
            .iter()
            .map(|f| {
                format!(
                    "block \"{}\": {} used the {} fallback{}",
                    f.block,
                    f.placeholder,
                    f.used,
                    if f.value.is_empty() {
                        String::new()
                    } else {
                        format!(" \"{}\"", f.value)
                    }
                )
            })
            .chain(report.hidden_blocks.iter().map(|h| {
                format!(
                    "block \"{}\" hidden: {}{}",
                    h.block,
                    h.reason,
                    h.replaced_by
                        .as_ref()
                        .map_or(String::new(), |r| format!(" (showed \"{r}\")"))
                )
            }))
            .chain(
                report
                    .missing_paths
                    .iter()
                    .filter(|_| report.fallbacks.is_empty() && report.hidden_blocks.is_empty())
                    .map(|p| format!("missing data: {p}")),
            )
            .collect::<Vec<_>>();
        for label in labels {
            *tallies.entry(label).or_default() += count;
        }
    }
    let mut tallies: Vec<Tally> = tallies.into_iter().map(|(what, count)| Tally { what, count }).collect();
    tallies.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.what.cmp(&b.what)));
    Ok(BatchSummary {
        rendered,
        failures,
        tallies,
        out_dir: out_dir.to_path_buf(),
    })
}

fn render_line(compiled: &Compiled, text: &str, out_dir: &Path, line: u64, out: &mut Output) -> Result<(), String> {
    let data: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "invalid JSON at column {}: {}",
            e.column(),
            tessera_core::diagnostics::without_serde_location(&e)
        )
    })?;
    if !data.is_object() {
        return Err("a line must hold one JSON object like {\"profile\": {...}}".to_owned());
    }
    personalize_into(compiled, &data, out);
    let stem = format!("{line:06}");
    std::fs::write(out_dir.join(format!("{stem}.html")), &out.html).map_err(|e| format!("writing {stem}.html: {e}"))?;
    std::fs::write(out_dir.join(format!("{stem}.txt")), &out.text).map_err(|e| format!("writing {stem}.txt: {e}"))?;
    Ok(())
}

//! Compile: a composed email becomes render plans for HTML and text, with CSS inlined once per
//! template version. Blocks compile one by one and are cached by content hash, so editing one field
//! recompiles one block.

mod inline;
mod lint;
mod minify;

/// The render plan a compiled email holds: literal spans, escaped values, branches and loops, and
/// the marker pass that builds it from template nodes.
pub mod plan {
    pub use crate::plan::{mark, EachInfo, Escape, Marked, Output, PNode, Part, PlanError, Tables};
}

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use crate::compose::{BlockMeta, Composed, ComposedFragment};
use crate::diagnostics::Diagnostic;
use crate::lang::{LiteralMode, Lowerer, Node, StaticEnv, StaticValue};
use crate::model::Settings;
use crate::plan::{mark, Output, Part, PlanError, Tables};

const LAYOUT: &str = include_str!("../layout/layout.hbs");
/// Where the blocks go in the skeleton; a private-use character no content can produce unescaped.
const BODY_SENTINEL: char = '\u{E002}';
/// Where the head markup of settings and block options goes (see `compose/theme.rs`).
const HEAD_MARKUP_SLOT: &str = "<!--tessera-head-markup-->";

/// Why an email could not be compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// The document has errors (listed).
    #[error("the email has {} problem(s):\n{}", .0.len(), .0.iter().map(|d| format!("  - {d}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    /// A block's markup cannot carry its template tags.
    #[error("block \"{block}\": {source}")]
    Markup {
        /// The top-level block.
        block: String,
        /// What is wrong.
        source: PlanError,
    },
    /// The CSS inliner failed.
    #[error("block \"{block}\": inlining CSS failed: {message}")]
    Inline {
        /// The top-level block (or `layout`).
        block: String,
        /// css-inline's message.
        message: String,
    },
}

/// One compiled top-level block (or the skeleton).
#[derive(Debug, Clone)]
pub struct Fragment {
    /// Id of the top-level block.
    pub instance_id: String,
    /// HTML plan.
    pub html: Part,
    /// Plain-text plan.
    pub text: Part,
    /// Tags referenced by both plans.
    pub tables: Tables,
    /// Block instances referenced by the tables.
    pub blocks: Vec<BlockMeta>,
    /// Static problems found in the compiled markup.
    pub lint: Vec<Diagnostic>,
    /// Bytes of literal HTML (for size estimates).
    pub html_bytes: usize,
    /// Which placeholders of `tables` the text plan prints: the HTML walk remembers only those
    /// for the text walk.
    pub(crate) text_values: Vec<bool>,
}

/// The document skeleton around the blocks: a head part and a tail part.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Before the blocks (HTML).
    pub head: Part,
    /// After the blocks (HTML).
    pub tail: Part,
    /// Before the blocks (text).
    pub text_head: Part,
    /// After the blocks (text).
    pub text_tail: Part,
    /// Tags of all four parts.
    pub tables: Tables,
    /// Which placeholders of `tables` the text parts print.
    pub(crate) text_values: Vec<bool>,
}

/// A compiled email: one template version, ready to personalize for any number of recipients.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// Document name.
    pub name: String,
    /// Resolved settings (locale and currency defaults).
    pub settings: Settings,
    /// Subject line plan.
    pub subject: (Part, Tables),
    /// Preheader plan (plain text).
    pub preheader: (Part, Tables),
    /// The skeleton.
    pub layout: Arc<Layout>,
    /// Top-level blocks in order.
    pub blocks: Vec<Arc<Fragment>>,
    /// Warnings from composing and linting.
    pub warnings: Vec<Diagnostic>,
    /// Content hash of this version.
    pub version: [u8; 32],
}

impl Compiled {
    /// The segments the email refers to (`in_segment "name"` in rules, conditions and subject).
    #[must_use]
    pub fn segments_referenced(&self) -> std::collections::BTreeSet<String> {
        fn cond(c: &crate::lang::Cond, out: &mut std::collections::BTreeSet<String>) {
            use crate::lang::Cond;
            match c {
                Cond::InSegment(name) => {
                    out.insert(name.clone());
                }
                Cond::And(parts) | Cond::Or(parts) => parts.iter().for_each(|p| cond(p, out)),
                Cond::Not(inner) => cond(inner, out),
                Cond::Truthy(_) | Cond::Compare(..) | Cond::Const(_) => {}
            }
        }
        let mut out = std::collections::BTreeSet::new();
        let tables = [&self.subject.1, &self.preheader.1, &self.layout.tables]
            .into_iter()
            .chain(self.blocks.iter().map(|f| &f.tables));
        for t in tables {
            t.conds.iter().for_each(|c| cond(c, &mut out));
        }
        for meta in self.blocks.iter().flat_map(|f| &f.blocks) {
            for gate in &meta.gates {
                if let crate::compose::Gate::ShowIf { cond: c, .. } | crate::compose::Gate::HideIf { cond: c, .. } =
                    gate
                {
                    cond(c, &mut out);
                }
            }
        }
        out
    }

    /// Every block instance id of the email (fallback blocks included), in document order.
    #[must_use]
    pub fn block_ids(&self) -> Vec<String> {
        self.blocks
            .iter()
            .flat_map(|f| f.blocks.iter().map(|b| b.id.clone()))
            .collect()
    }

    /// The version as hex, for reports and file names.
    #[must_use]
    pub fn version_hex(&self) -> String {
        self.version.iter().fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
    }
}

/// Compiles composed emails, caching blocks and skeletons by content hash.
#[derive(Debug, Default)]
pub struct Compiler {
    fragments: HashMap<[u8; 32], Arc<Fragment>>,
    layouts: HashMap<[u8; 32], Arc<Layout>>,
    stats: CacheStats,
    /// At most this many threads compile the blocks the cache lacks (0: one per core, at most 4).
    max_threads: usize,
}

/// How often the cache helped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Blocks served from the cache.
    pub hits: u64,
    /// Blocks compiled.
    pub misses: u64,
}

impl Compiler {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty cache whose compiles use at most `threads` threads for the blocks the cache lacks
    /// (1: on the calling thread only; 0: one per core, at most 4, the default).
    #[must_use]
    pub fn with_threads(threads: usize) -> Self {
        Self {
            max_threads: threads,
            ..Self::default()
        }
    }

    /// Sets how many threads later compiles may use (see [`Compiler::with_threads`]).
    pub fn set_threads(&mut self, threads: usize) {
        self.max_threads = threads;
    }

    /// Cache statistics so far.
    #[must_use]
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// Compiles a composed email.
    ///
    /// # Errors
    /// Error-level diagnostics, markup that cannot carry its tags, or an inliner failure.
    pub fn compile(&mut self, composed: &Composed) -> Result<Compiled, CompileError> {
        if composed.has_errors() {
            return Err(CompileError::Invalid(
                composed
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == crate::diagnostics::Severity::Error)
                    .cloned()
                    .collect(),
            ));
        }
        let mut version = blake3::Hasher::new();
        // Each block the cache lacks, once (a document can hold the same block twice).
        let mut seen = std::collections::HashSet::new();
        let misses: Vec<&ComposedFragment> = composed
            .fragments
            .iter()
            .filter(|f| !self.fragments.contains_key(&f.key) && seen.insert(f.key))
            .collect();
        let mut fresh: HashMap<[u8; 32], Result<Fragment, CompileError>> = misses
            .iter()
            .map(|f| f.key)
            .zip(compile_fragments(&misses, self.max_threads))
            .collect();
        let mut blocks = Vec::with_capacity(composed.fragments.len());
        for fragment in &composed.fragments {
            version.update(&fragment.key);
            let done = fresh.remove(&fragment.key);
            let compiled = if let (None, Some(hit)) = (&done, self.fragments.get(&fragment.key)) {
                self.stats.hits += 1;
                Arc::clone(hit)
            } else {
                self.stats.misses += 1;
                let result = done.unwrap_or_else(|| compile_fragment(fragment));
                let compiled = Arc::new(result?);
                if self.fragments.len() > 4096 {
                    self.fragments.clear();
                }
                self.fragments.insert(fragment.key, Arc::clone(&compiled));
                compiled
            };
            blocks.push(compiled);
        }
        let layout_key = layout_key(composed);
        version.update(&layout_key);
        let layout = if let Some(hit) = self.layouts.get(&layout_key) {
            Arc::clone(hit)
        } else {
            let layout = Arc::new(compile_layout(composed)?);
            if self.layouts.len() > 256 {
                self.layouts.clear();
            }
            self.layouts.insert(layout_key, Arc::clone(&layout));
            layout
        };
        let plain = |nodes: &[Node]| -> Result<(Part, Tables), CompileError> {
            mark(nodes.to_vec(), false)
                .and_then(|m| m.into_part(Output::Text))
                .map_err(|source| CompileError::Markup {
                    block: "subject".to_owned(),
                    source,
                })
        };
        let mut warnings: Vec<Diagnostic> = composed.diagnostics.clone();
        for b in &blocks {
            warnings.extend(b.lint.iter().cloned());
        }
        Ok(Compiled {
            name: composed.name.clone(),
            settings: composed.settings.clone(),
            subject: plain(&composed.subject)?,
            preheader: plain(&composed.preheader)?,
            layout,
            blocks,
            warnings,
            version: *version.finalize().as_bytes(),
        })
    }
}

/// Compiles blocks the cache does not hold, in their order. Blocks are independent (each is parsed,
/// inlined and turned into text on its own), so with more than one to do they are shared among the
/// machine's cores; the results and the first error are the same as one after the other.
fn compile_fragments(misses: &[&ComposedFragment], max_threads: usize) -> Vec<Result<Fragment, CompileError>> {
    let limit = if max_threads == 0 { 4 } else { max_threads };
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(misses.len())
        .min(limit);
    if workers < 2 {
        return misses.iter().map(|f| compile_fragment(f)).collect();
    }
    // Worker k takes blocks k, k + workers, ...: neighbours in a document differ most in size.
    let mut results: Vec<Option<Result<Fragment, CompileError>>> = (0..misses.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|k| {
                scope.spawn(move || {
                    misses
                        .iter()
                        .enumerate()
                        .skip(k)
                        .step_by(workers)
                        .map(|(i, f)| (i, compile_fragment(f)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(done) => {
                    for (i, result) in done {
                        if let Some(slot) = results.get_mut(i) {
                            *slot = Some(result);
                        }
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    results
        .into_iter()
        .zip(misses)
        .map(|(result, f)| result.unwrap_or_else(|| compile_fragment(f)))
        .collect()
}

fn compile_fragment(fragment: &ComposedFragment) -> Result<Fragment, CompileError> {
    let block = || fragment.instance_id.clone();
    let marked =
        mark(fragment.nodes.clone(), true).map_err(|source| CompileError::Markup { block: block(), source })?;
    let inlined = inline::inline_fragment(&marked.html, &fragment.css)
        .map(|h| minify::collapse_whitespace(&h))
        .map_err(|e| CompileError::Inline {
            block: block(),
            message: e.to_string(),
        })?;
    let html = marked
        .split(&inlined, Output::Html)
        .map_err(|source| CompileError::Markup { block: block(), source })?;
    let text_source = crate::text::html_to_text(&inlined);
    let text = marked
        .split(&text_source, Output::Text)
        .map_err(|source| CompileError::Markup { block: block(), source })?;
    let lint = lint::lint_html(&inlined, &fragment.instance_id);
    let text_values = crate::plan::values_printed(&[&text], marked.tables.placeholders.len());
    Ok(Fragment {
        instance_id: fragment.instance_id.clone(),
        html_bytes: html.lits.len(),
        html,
        text_values,
        text,
        tables: marked.tables,
        blocks: fragment.blocks.clone(),
        lint,
    })
}

fn layout_key(composed: &Composed) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(crate::ENGINE_VERSION.as_bytes());
    h.update(LAYOUT.as_bytes());
    h.update(&serde_json::to_vec(&composed.settings).unwrap_or_default());
    h.update(composed.all_css.as_bytes());
    h.update(composed.head_markup.as_bytes());
    h.update(format!("{:?}{:?}", composed.subject_html, composed.preheader_html).as_bytes());
    *h.finalize().as_bytes()
}

struct LayoutEnv<'a> {
    settings: serde_json::Map<String, serde_json::Value>,
    composed: &'a Composed,
}

impl StaticEnv for LayoutEnv<'_> {
    fn named(&self, namespace: &str, name: &str) -> Option<Result<StaticValue, crate::lang::LangError>> {
        (namespace == "settings").then(|| self.settings.get(name).cloned().map(|v| Ok(StaticValue::Literal(v))))?
    }

    fn item(&self, _: &str, _: &serde_json::Value, _: &str) -> Option<Result<StaticValue, crate::lang::LangError>> {
        None
    }

    fn slot(&self, name: &str) -> Result<Vec<Node>, crate::lang::LangError> {
        Ok(match name {
            "subject" => self.composed.subject_html.clone(),
            "preheader" => self.composed.preheader_html.clone(),
            "styles" => vec![Node::Html(self.composed.all_css.clone())],
            _ => vec![Node::Html(BODY_SENTINEL.to_string())],
        })
    }
}

/// The skeleton's template, parsed once per process (it is compiled into the binary).
fn layout_template() -> Result<&'static handlebars::Template, crate::lang::LangError> {
    static PARSED: OnceLock<Result<handlebars::Template, crate::lang::LangError>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            handlebars::Template::compile(LAYOUT).map_err(|e| crate::lang::LangError::from_template_error(&e))
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn compile_layout(composed: &Composed) -> Result<Layout, CompileError> {
    let err = |source| CompileError::Markup {
        block: "layout".to_owned(),
        source,
    };
    let env = LayoutEnv {
        settings: composed.settings.to_map(),
        composed,
    };
    let nodes = layout_template()
        .and_then(|parsed| Lowerer::new(LiteralMode::Markup, Some(&env)).lower_source_parsed(parsed))
        .map_err(|e| CompileError::Inline {
            block: "layout".to_owned(),
            message: e.to_string(),
        })?;
    let marked = mark(nodes, true).map_err(err)?;
    let inlined = inline::inline_document(&marked.html)
        .map(|h| minify::collapse_whitespace(&h))
        .map_err(|e| CompileError::Inline {
            block: "layout".to_owned(),
            message: e.to_string(),
        })?;
    // Written after inlining, so the inliner neither applies nor drops these rules.
    let inlined = inlined.replacen(HEAD_MARKUP_SLOT, &composed.head_markup, 1);
    let html = marked.split(&inlined, Output::Html).map_err(err)?;
    let text = marked
        .split(&crate::text::html_to_text(&inlined), Output::Text)
        .map_err(err)?;
    let (head, tail) = cut(&html).ok_or_else(|| err(PlanError::Reordered))?;
    let (text_head, text_tail) = cut(&text).ok_or_else(|| err(PlanError::Reordered))?;
    let text_values = crate::plan::values_printed(&[&text_head, &text_tail], marked.tables.placeholders.len());
    Ok(Layout {
        head,
        tail,
        text_head,
        text_tail,
        tables: marked.tables,
        text_values,
    })
}

/// Cuts a part at the body sentinel, which must stand in a top-level literal.
fn cut(part: &Part) -> Option<(Part, Part)> {
    let sentinel_len = BODY_SENTINEL.len_utf8();
    for (i, node) in part.nodes.iter().enumerate() {
        if let plan::PNode::Lit(start, end) = *node {
            let text = &part.lits[start as usize..end as usize];
            if let Some(pos) = text.find(BODY_SENTINEL) {
                let at = start + u32::try_from(pos).ok()?;
                let mut head_nodes = part.nodes.get(..i)?.to_vec();
                if at > start {
                    head_nodes.push(plan::PNode::Lit(start, at));
                }
                let mut tail_nodes = Vec::new();
                let after = at + u32::try_from(sentinel_len).ok()?;
                if after < end {
                    tail_nodes.push(plan::PNode::Lit(after, end));
                }
                tail_nodes.extend_from_slice(part.nodes.get(i + 1..)?);
                return Some((
                    Part {
                        lits: part.lits.clone(),
                        nodes: head_nodes,
                    },
                    Part {
                        lits: part.lits.clone(),
                        nodes: tail_nodes,
                    },
                ));
            }
        }
    }
    None
}

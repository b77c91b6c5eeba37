//! Compose: a document and the block library become one template, as template nodes.
//!
//! Each block instance is lowered from its type's `block.hbs` with its field values spliced in (text
//! escaped, rich text sanitized, URLs checked), wrapped in its gate (required data, `show_if`,
//! `hide_if`) and its fallback. Top-level blocks become separate fragments so that the compiler can
//! cache them one by one. Field values are checked and converted in `field`.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

mod field;
pub mod live_image;
mod theme;

use field::{convert_field, empty_value, parse_data_path, FieldError};

use crate::diagnostics::Diagnostic;
use crate::lang::{self, Cond, DataPath, LangError, LiteralMode, Lowerer, Node, StaticEnv, StaticValue};
use crate::model::{BlockInstance, BlockLibrary, BlockType, Dictionary, Document, Fallback, FieldType, Settings};

/// What must hold for a block to show.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// This data must be present and non-empty.
    Requires {
        /// The path.
        path: DataPath,
        /// As written.
        key: String,
    },
    /// `show_if`.
    ShowIf {
        /// The condition.
        cond: Cond,
        /// As written.
        rule: String,
    },
    /// `hide_if`.
    HideIf {
        /// The condition.
        cond: Cond,
        /// As written.
        rule: String,
    },
}

/// A block instance as the renderer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockMeta {
    /// Instance id.
    pub id: String,
    /// Block type id.
    pub block_type: String,
    /// What must hold for it to show, checked in order.
    pub gates: Vec<Gate>,
    /// The id of the block shown instead, if any.
    pub fallback: Option<String>,
}

/// One top-level block and everything inside it, ready to compile.
#[derive(Debug, Clone)]
pub struct ComposedFragment {
    /// The top-level instance id.
    pub instance_id: String,
    /// The template nodes.
    pub nodes: Vec<Node>,
    /// Block instances referenced by `Node::Block` indices.
    pub blocks: Vec<BlockMeta>,
    /// The CSS to inline into it (shared styles and its block types' styles).
    pub css: String,
    /// Cache key: changes whenever anything that shapes the compiled output changes.
    pub key: [u8; 32],
}

/// A composed email.
#[derive(Debug, Clone)]
pub struct Composed {
    /// Document name.
    pub name: String,
    /// Subject for the mail header (plain text).
    pub subject: Vec<Node>,
    /// Subject for the HTML `<title>`.
    pub subject_html: Vec<Node>,
    /// Preheader for the HTML body.
    pub preheader_html: Vec<Node>,
    /// Preheader as plain text (for reports and sends).
    pub preheader: Vec<Node>,
    /// Resolved settings.
    pub settings: Settings,
    /// The top-level blocks.
    pub fragments: Vec<ComposedFragment>,
    /// Every block type's CSS, for the `<style>` that keeps `@media` rules.
    pub all_css: String,
    /// Head markup written after inlining: the web font, dark-mode colours and images, device
    /// visibility (see `compose/theme.rs`).
    pub head_markup: String,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Composed {
    /// True when an error-level problem prevents rendering.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Error)
    }
}

/// Shared styles inlined into every block.
pub(crate) const BASE_CSS: &str = include_str!("../layout/base.css");

/// What composing needs.
pub struct ComposeInput<'a> {
    /// The document.
    pub document: &'a Document,
    /// Block types.
    pub library: &'a BlockLibrary,
    /// The data dictionary.
    pub dictionary: &'a Dictionary,
    /// The workspace's brand defaults for settings.
    pub brand: &'a Map<String, Value>,
}

/// Composes a document. Problems are collected in [`Composed::diagnostics`]; composition carries on
/// past them so that `check` can list them all.
#[must_use]
pub fn compose(input: &ComposeInput<'_>) -> Composed {
    let doc = input.document;
    let mut diagnostics = Vec::new();
    if doc.schema_version != crate::model::SCHEMA_VERSION {
        diagnostics.push(Diagnostic::error(
            None,
            Some("schema_version"),
            format!(
                "this document has format version {}, this Tessera reads version {}",
                doc.schema_version,
                crate::model::SCHEMA_VERSION
            ),
        ));
    }
    let settings = Settings::resolve(input.brand, &doc.settings).unwrap_or_else(|e| {
        diagnostics.push(Diagnostic::error(None, Some("settings"), e.to_string()));
        Settings::default()
    });
    let settings_map = settings.to_map();
    let composer = Composer {
        library: input.library,
        settings: &settings_map,
        blocks: RefCell::new(Vec::new()),
        diagnostics: RefCell::new(diagnostics),
        ids: RefCell::new(HashSet::new()),
        types_used: RefCell::new(BTreeSet::new()),
        css_cache: RefCell::new(HashMap::new()),
        looks: RefCell::new(Vec::new()),
    };
    let text = |field: &str, source: &str, mode: LiteralMode| -> Vec<Node> {
        Lowerer::new(mode, None)
            .lower_source(&lang::lower::literalize_foreign_tags(source))
            .unwrap_or_else(|e| {
                composer.error(None, Some(field), &e.to_string());
                Vec::new()
            })
    };
    let subject = text("subject", &doc.subject, LiteralMode::Plain);
    let subject_html = text("subject", &doc.subject, LiteralMode::Text);
    let preheader = text("preheader", &doc.preheader, LiteralMode::Plain);
    let preheader_html = text("preheader", &doc.preheader, LiteralMode::Text);

    report_nested_live(doc, &composer);
    let settings_json = serde_json::to_vec(&settings_map).unwrap_or_default();
    let dictionary_fingerprint = input.dictionary.fingerprint();
    let mut fragments = Vec::new();
    for instance in &doc.blocks {
        composer.blocks.borrow_mut().clear();
        composer.types_used.borrow_mut().clear();
        let node = composer.instance(instance);
        let blocks = composer.blocks.take();
        let types: Vec<String> = composer.types_used.borrow().iter().cloned().collect();
        let mut css = String::from(BASE_CSS);
        let mut hasher = blake3::Hasher::new();
        hasher.update(crate::ENGINE_VERSION.as_bytes());
        hasher.update(&serde_json::to_vec(instance).unwrap_or_default());
        hasher.update(&settings_json);
        hasher.update(&dictionary_fingerprint);
        for t in &types {
            css.push('\n');
            css.push_str(&composer.type_css(t));
            if let Some(block) = input.library.get(t) {
                hasher.update(&block.content_hash);
            }
        }
        let mut nodes = vec![node];
        apply_dictionary(&mut nodes, input.dictionary);
        fragments.push(ComposedFragment {
            instance_id: instance.id.clone(),
            nodes,
            blocks,
            css,
            key: *hasher.finalize().as_bytes(),
        });
    }
    let mut all_css = String::from(BASE_CSS);
    let mut all_types: BTreeSet<&str> = BTreeSet::new();
    for b in doc.all_blocks() {
        all_types.insert(b.block_type.as_str());
    }
    for t in all_types {
        all_css.push('\n');
        all_css.push_str(&composer.type_css(t));
    }
    let head_markup = theme::head_markup(&settings, &composer.looks.borrow());
    let mut email = Composed {
        head_markup,
        name: doc.name.clone(),
        subject,
        subject_html,
        preheader_html,
        preheader,
        settings,
        fragments,
        all_css,
        diagnostics: composer.diagnostics.take(),
    };
    for nodes in [
        &mut email.subject,
        &mut email.subject_html,
        &mut email.preheader,
        &mut email.preheader_html,
    ] {
        apply_dictionary(nodes, input.dictionary);
    }
    report_unknown_fields(&mut email, input.dictionary);
    email
}

struct Composer<'a> {
    library: &'a BlockLibrary,
    settings: &'a Map<String, Value>,
    blocks: RefCell<Vec<BlockMeta>>,
    diagnostics: RefCell<Vec<Diagnostic>>,
    ids: RefCell<HashSet<String>>,
    types_used: RefCell<BTreeSet<String>>,
    css_cache: RefCell<HashMap<String, String>>,
    looks: RefCell<Vec<theme::BlockLook>>,
}

impl Composer<'_> {
    fn error(&self, block: Option<&str>, field: Option<&str>, message: &str) {
        self.diagnostics
            .borrow_mut()
            .push(Diagnostic::error(block, field, message));
    }

    fn instance(&self, inst: &BlockInstance) -> Node {
        let id = inst.id.as_str();
        if !crate::model::is_valid_id(id) {
            self.error(
                Some(id),
                None,
                "a block id uses lowercase letters, digits and dashes, and starts with a letter",
            );
        }
        if !self.ids.borrow_mut().insert(inst.id.clone()) {
            self.error(Some(id), None, "another block in this email has the same id");
        }
        let Some(block_type) = self.library.get(&inst.block_type) else {
            let hint = crate::suggest::closest(&inst.block_type, self.library.ids())
                .map_or_else(String::new, |s| format!(" (did you mean \"{s}\"?)"));
            self.error(
                Some(id),
                None,
                &format!("unknown block type \"{}\"{hint}", inst.block_type),
            );
            return Node::Html(String::new());
        };
        self.types_used.borrow_mut().insert(block_type.id.clone());
        if let Some(live) = &inst.live {
            if let Err(message) = live_support(block_type, live.feed) {
                self.error(Some(id), Some("live"), &message);
            }
        }

        let fields = self.fields(inst, block_type);
        for slot in inst.slots.keys() {
            if !block_type.schema.slots.contains(slot) {
                self.error(
                    Some(id),
                    None,
                    &format!("block type \"{}\" has no slot \"{slot}\"", block_type.id),
                );
            }
        }
        let dark = inst.dark.clone().unwrap_or_default();
        let dark_fields = self.dark_image_fields(inst, block_type, &dark, &fields);
        let lower = |fields: HashMap<String, StaticValue>| {
            let env = InstanceEnv {
                composer: self,
                inst,
                block_type,
                fields,
            };
            Lowerer::new(LiteralMode::Markup, Some(&env))
                .lower_source_parsed(&block_type.template)
                .unwrap_or_else(|e| {
                    self.error(
                        Some(id),
                        None,
                        &format!("the \"{}\" block template: {e}", block_type.id),
                    );
                    Vec::new()
                })
        };
        let mut body = lower(fields);
        if let Some(dark_fields) = dark_fields {
            let dark_body = lower(dark_fields);
            let mut both = vec![Node::Html(format!(r#"<div class="{}">"#, theme::LIGHT_IMAGE))];
            both.append(&mut body);
            both.push(Node::Html(format!(
                r#"</div><!--[if !mso]><!--><div class="{}" style="{}">"#,
                theme::DARK_IMAGE,
                theme::HIDDEN_UNTIL_SHOWN
            )));
            both.extend(dark_body);
            both.push(Node::Html("</div><!--<![endif]-->".to_owned()));
            body = both;
        }
        let look = theme::BlockLook {
            id: inst.id.clone(),
            device: inst.device,
            dark: self.checked_dark(id, dark),
        };
        if let Some(open) = theme::wrapper_open(&look) {
            let mut wrapped = vec![Node::Html(open)];
            wrapped.append(&mut body);
            wrapped.push(Node::Html(theme::wrapper_close(&look).to_owned()));
            body = wrapped;
            self.looks.borrow_mut().push(look);
        }

        let mut gates = Vec::new();
        for key in block_type.schema.requires.iter().chain(&inst.requires) {
            match parse_data_path(key) {
                Some(path) => gates.push(Gate::Requires { path, key: key.clone() }),
                None => self.error(
                    Some(id),
                    Some("requires"),
                    &format!("\"{key}\" is not a data path like cart.items"),
                ),
            }
        }
        for (field, rule, negate) in [("show_if", &inst.show_if, false), ("hide_if", &inst.hide_if, true)] {
            if let Some(rule) = rule {
                match lang::parse_condition(rule) {
                    Ok(cond) if negate => gates.push(Gate::HideIf {
                        cond,
                        rule: rule.clone(),
                    }),
                    Ok(cond) => gates.push(Gate::ShowIf {
                        cond,
                        rule: rule.clone(),
                    }),
                    Err(e) => self.error(Some(id), Some(field), &e.to_string()),
                }
            }
        }
        let (fallback_id, otherwise) = match &inst.fallback {
            Fallback::Hide => (None, Vec::new()),
            Fallback::Block(other) => (Some(other.id.clone()), vec![self.instance(other)]),
        };
        let mut blocks = self.blocks.borrow_mut();
        blocks.push(BlockMeta {
            id: inst.id.clone(),
            block_type: block_type.id.clone(),
            gates,
            fallback: fallback_id,
        });
        let index = u32::try_from(blocks.len() - 1).unwrap_or(u32::MAX);
        Node::Block { index, body, otherwise }
    }

    /// The fields with the dark image in place of the block type's first image field, when the
    /// block has a dark image; problems are reported and give `None`.
    fn dark_image_fields(
        &self,
        inst: &BlockInstance,
        block_type: &BlockType,
        dark: &crate::model::BlockDark,
        fields: &HashMap<String, StaticValue>,
    ) -> Option<HashMap<String, StaticValue>> {
        if dark.image.trim().is_empty() {
            return None;
        }
        let id = Some(inst.id.as_str());
        if !block_type.schema.slots.is_empty() {
            self.error(
                id,
                Some("dark.image"),
                "a dark image is for blocks without slots; set it on the image block inside",
            );
            return None;
        }
        let Some(spec) = block_type
            .schema
            .fields
            .iter()
            .find(|f| f.field_type == FieldType::Image)
        else {
            self.error(
                id,
                Some("dark.image"),
                &format!(
                    "block type \"{}\" has no image field to replace in dark mode",
                    block_type.id
                ),
            );
            return None;
        };
        match convert_field(spec, &Value::String(dark.image.clone())) {
            Ok(value) => {
                let mut out = fields.clone();
                out.insert(spec.name.clone(), value);
                Some(out)
            }
            Err(e) => {
                self.error(id, Some("dark.image"), &e.to_string());
                None
            }
        }
    }

    /// The dark look with its colours checked; a colour that is not one is reported and dropped.
    fn checked_dark(&self, id: &str, mut dark: crate::model::BlockDark) -> crate::model::BlockDark {
        for (name, colour) in [("dark.background", &mut dark.background), ("dark.text", &mut dark.text)] {
            if !colour.is_empty() && !crate::model::is_colour(colour) {
                self.error(Some(id), Some(name), &FieldError::NotColour(colour.clone()).to_string());
                colour.clear();
            }
        }
        dark
    }

    /// Converts every field of an instance, reporting each problem once.
    fn fields(&self, inst: &BlockInstance, block_type: &BlockType) -> HashMap<String, StaticValue> {
        let id = inst.id.as_str();
        for name in inst.fields.keys() {
            if block_type.field(name).is_none() {
                let names = block_type.schema.fields.iter().map(|f| f.name.as_str());
                let hint = crate::suggest::closest(name, names)
                    .map_or_else(String::new, |s| format!(" (did you mean \"{s}\"?)"));
                self.error(
                    Some(id),
                    Some(name),
                    &format!("block type \"{}\" has no field \"{name}\"{hint}", block_type.id),
                );
            }
        }
        let mut out = HashMap::new();
        for spec in &block_type.schema.fields {
            let value = inst.fields.get(&spec.name).unwrap_or(&spec.default);
            let converted = convert_field(spec, value).unwrap_or_else(|e| {
                self.error(Some(id), Some(&spec.name), &e.to_string());
                empty_value(spec)
            });
            if let (FieldType::List, Value::Array(items)) = (spec.field_type, value) {
                for (i, item) in items.iter().enumerate() {
                    for item_spec in &spec.item_fields {
                        let v = item.get(&item_spec.name).unwrap_or(&item_spec.default);
                        if let Err(e) = convert_field(item_spec, v) {
                            self.error(
                                Some(id),
                                Some(&format!("{}[{}].{}", spec.name, i + 1, item_spec.name)),
                                &e.to_string(),
                            );
                        }
                    }
                }
            }
            out.insert(spec.name.clone(), converted);
        }
        out
    }

    /// A block type's CSS with settings filled in (once per type).
    fn type_css(&self, type_id: &str) -> String {
        if let Some(css) = self.css_cache.borrow().get(type_id) {
            return css.clone();
        }
        let Some(block_type) = self.library.get(type_id) else {
            return String::new();
        };
        let env = SettingsEnv(self.settings);
        let mut css_lowering = Lowerer::new(LiteralMode::Markup, Some(&env));
        let lowered = match &block_type.css_template {
            Some(parsed) => css_lowering.lower_source_parsed(parsed),
            None => css_lowering.lower_source(&block_type.css_source),
        };
        let css = match lowered {
            Ok(nodes) => {
                let mut css = String::new();
                for node in nodes {
                    match node {
                        Node::Html(s) => css.push_str(&s),
                        _ => self.error(
                            None,
                            None,
                            &format!("{type_id}/block.css may only use {{{{settings.NAME}}}}, not recipient data"),
                        ),
                    }
                }
                strip_imports(&css)
            }
            Err(e) => {
                self.error(None, None, &format!("{type_id}/block.css: {e}"));
                String::new()
            }
        };
        self.css_cache.borrow_mut().insert(type_id.to_owned(), css.clone());
        css
    }
}

/// Whether `block_type` can show `feed` live; the error names the feeds it can show.
fn live_support(block_type: &BlockType, feed: crate::model::Feed) -> Result<(), String> {
    if block_type.schema.live_feeds.contains(&feed) {
        return Ok(());
    }
    let supported: Vec<&str> = block_type.schema.live_feeds.iter().map(|f| f.as_str()).collect();
    Err(if supported.is_empty() {
        format!(
            "block type \"{}\" cannot be live: it declares no live feeds (\"live_feeds\" in its block.json)",
            block_type.id
        )
    } else {
        format!(
            "block type \"{}\" cannot show the live feed \"{feed}\"; it shows {}",
            block_type.id,
            supported.join(", ")
        )
    })
}

/// Live blocks are top-level blocks: the AMP part and the live image replace one whole block.
fn report_nested_live(doc: &Document, composer: &Composer<'_>) {
    let top: HashSet<*const BlockInstance> = doc.blocks.iter().map(std::ptr::from_ref).collect();
    for block in doc.all_blocks() {
        if block.live.is_some() && !top.contains(&std::ptr::from_ref(block)) {
            composer.error(
                Some(&block.id),
                Some("live"),
                "only a top-level block can be live, not one inside a slot or a fallback",
            );
        }
    }
}

/// `@import` could fetch other files; block styles are self-contained.
fn strip_imports(css: &str) -> String {
    css.lines()
        .filter(|l| !l.trim_start().starts_with("@import"))
        .collect::<Vec<_>>()
        .join("\n")
}

struct InstanceEnv<'a, 'c> {
    composer: &'a Composer<'c>,
    inst: &'a BlockInstance,
    block_type: &'a BlockType,
    fields: HashMap<String, StaticValue>,
}

impl StaticEnv for InstanceEnv<'_, '_> {
    fn named(&self, namespace: &str, name: &str) -> Option<Result<StaticValue, LangError>> {
        match namespace {
            "block" => self.fields.get(name).cloned().map(Ok),
            _ => self
                .composer
                .settings
                .get(name)
                .cloned()
                .map(|v| Ok(StaticValue::Literal(v))),
        }
    }

    fn item(&self, list: &str, item: &Value, name: &str) -> Option<Result<StaticValue, LangError>> {
        let spec = self
            .block_type
            .field(list)?
            .item_fields
            .iter()
            .find(|f| f.name == name)?;
        let value = item.get(name).unwrap_or(&spec.default);
        Some(Ok(convert_field(spec, value).unwrap_or_else(|_| empty_value(spec))))
    }

    fn slot(&self, name: &str) -> Result<Vec<Node>, LangError> {
        if !self.block_type.schema.slots.iter().any(|s| s == name) {
            return Err(LangError::Unsupported {
                tag: format!("{{{{slot \"{name}\"}}}}"),
                reason: format!("block type \"{}\" declares no slot \"{name}\"", self.block_type.id),
            });
        }
        Ok(self
            .inst
            .slots
            .get(name)
            .map(|children| children.iter().map(|c| self.composer.instance(c)).collect())
            .unwrap_or_default())
    }
}

struct SettingsEnv<'a>(&'a Map<String, Value>);

impl StaticEnv for SettingsEnv<'_> {
    fn named(&self, namespace: &str, name: &str) -> Option<Result<StaticValue, LangError>> {
        (namespace == "settings").then(|| self.0.get(name).cloned().map(|v| Ok(StaticValue::Literal(v))))?
    }

    fn item(&self, _: &str, _: &Value, _: &str) -> Option<Result<StaticValue, LangError>> {
        None
    }

    fn slot(&self, name: &str) -> Result<Vec<Node>, LangError> {
        Err(LangError::Unsupported {
            tag: format!("{{{{slot \"{name}\"}}}}"),
            reason: "styles have no slots".to_owned(),
        })
    }
}

/// Fills in each placeholder's dictionary default.
fn apply_dictionary(nodes: &mut [Node], dictionary: &Dictionary) {
    for node in nodes {
        match node {
            Node::Value(ph) => {
                if let Some(field) = ph.field.as_deref().and_then(|f| dictionary.get(f)) {
                    ph.dictionary_default.clone_from(&field.default);
                }
            }
            Node::If { then, otherwise, .. } => {
                apply_dictionary(then, dictionary);
                apply_dictionary(otherwise, dictionary);
            }
            Node::Each { body, otherwise, .. } | Node::Block { body, otherwise, .. } => {
                apply_dictionary(body, dictionary);
                apply_dictionary(otherwise, dictionary);
            }
            Node::Html(_) => {}
        }
    }
}

/// Warns about placeholders whose field is not in the data dictionary.
fn report_unknown_fields(composed: &mut Composed, dictionary: &Dictionary) {
    fn walk(nodes: &[Node], block: Option<&str>, blocks: &[BlockMeta], dict: &Dictionary, out: &mut Vec<Diagnostic>) {
        for node in nodes {
            match node {
                Node::Value(ph) => {
                    if let Some(field) = &ph.field {
                        if dict.get(field).is_none() && !field.starts_with('?') {
                            let hint = crate::suggest::closest(field, dict.iter().map(|f| f.path.as_str()))
                                .map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"));
                            let message = format!(
                                "`{}` uses `{field}`, which is not in the data dictionary{hint}",
                                ph.source
                            );
                            if !out.iter().any(|d| d.message == message && d.block.as_deref() == block) {
                                out.push(Diagnostic::warning(block, None, message));
                            }
                        }
                    }
                }
                Node::If { then, otherwise, .. }
                | Node::Each {
                    body: then, otherwise, ..
                } => {
                    walk(then, block, blocks, dict, out);
                    walk(otherwise, block, blocks, dict, out);
                }
                Node::Block { index, body, otherwise } => {
                    let id = blocks.get(*index as usize).map(|b| b.id.as_str());
                    walk(body, id, blocks, dict, out);
                    walk(otherwise, block, blocks, dict, out);
                }
                Node::Html(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    for nodes in [&composed.subject, &composed.preheader] {
        walk(nodes, None, &[], dictionary, &mut out);
    }
    for fragment in &composed.fragments {
        walk(&fragment.nodes, None, &fragment.blocks, dictionary, &mut out);
    }
    composed.diagnostics.extend(out);
}

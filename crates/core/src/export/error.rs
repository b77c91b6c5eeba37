//! Why an export failed.

/// Why an email could not be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The target cannot express something the email uses.
    #[error("{target}: block \"{block}\": `{expression}` cannot be exported: {reason}")]
    Unsupported {
        /// The target's name.
        target: &'static str,
        /// The innermost block id (`layout`, `subject` or `preheader` outside blocks).
        block: String,
        /// The expression as written (or as the engine understood it).
        expression: String,
        /// Why the target cannot express it.
        reason: Refusal,
    },
    /// Two fields the template reads would have the same name in the ESP (e.g. Mailchimp's
    /// upper-case merge tags of at most 10 characters).
    #[error("{target}: fields \"{first}\" and \"{second}\" would both be read as {name}; rename one of them")]
    NameCollision {
        /// The target's name.
        target: &'static str,
        /// One field's path.
        first: String,
        /// The other field's path.
        second: String,
        /// The name both map to.
        name: String,
    },
    /// No target of that name.
    #[error("unknown export target \"{0}\" (targets: {targets})", targets = super::Target::names())]
    UnknownTarget(String),
    /// The email uses assets and no https base URL says where they are hosted.
    #[error("the email uses {} from assets/: set [assets] base_url in tessera.toml to the https address they are uploaded to", .0.join(", "))]
    AssetsNotHosted(Vec<String>),
    /// The manifest could not be serialized.
    #[error("manifest: {0}")]
    Manifest(String),
    /// The AMP part could not be made (its style sheet is too large, or a live block cannot be
    /// written as an amp-mustache template).
    #[error("amp: {0}")]
    Amp(String),
}

/// Why a target cannot express a construct as preview renders it. The walk wraps it in
/// [`ExportError::Unsupported`] with the block and the expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    // Shared by every target (found by the walk).
    /// The AMP template cannot carry a start tag whose AMP form depends on a value.
    #[error("the AMP template cannot carry it: {0}")]
    AmpMarkup(String),

    /// The compiled plan points at a table entry that is not there (`what`: placeholder, condition,
    /// loop or block).
    #[error("the plan refers to a missing {what}")]
    MissingInPlan {
        /// The kind of entry.
        what: &'static str,
    },
    /// A constant that is a list or an object is printed.
    #[error("a constant that is not text, a number or true/false")]
    PrintedCompound,
    /// A `currency`/`date` value read from somewhere a derived field cannot be computed from.
    #[error("formatting reads a loop variable or an outer loop's item; only root fields, the current item and constants can be pre-formatted")]
    FormatSource,
    /// A `currency`/`date` value on an item of a nested loop.
    #[error("formatting inside a nested loop cannot be pre-formatted")]
    FormatNested,
    /// A whole-URL value read from somewhere a derived field cannot be computed from.
    #[error("a URL read from a loop variable, an outer loop's item or inside nested loops cannot be pre-computed")]
    UrlSource,
    /// A whole-URL value with a format or case conversion, for a target that pre-computes URLs.
    #[error("a formatted or case-converted URL cannot be pre-computed; print the URL as it is")]
    FormattedUrl,
    /// A condition that reads a loop item or variable, for a target that needs conditions
    /// pre-evaluated.
    #[error("a condition on a loop item or loop variable cannot be pre-evaluated")]
    LoopCondition,
    /// A loop over a constant or a loop variable.
    #[error("a loop over something that is not a field")]
    LoopOverNonField,
    /// The whole recipient context is printed or compared.
    #[error("the whole recipient context cannot be printed")]
    WholeContext,
    /// A condition reached the target's syntax without having been turned into derived flags.
    #[error("the condition was not turned into derived flags")]
    NotFlags,

    // Escaping and case, in the target's own words.
    /// A value inside a URL: preview percent-encodes it; `gap` says what the target does instead.
    #[error("preview percent-encodes a value inside a URL (RFC 3986); {gap}")]
    UrlEncoding {
        /// What the target lacks or does differently.
        gap: &'static str,
    },
    /// A value inside a style attribute, which preview filters.
    #[error(
        "preview lets only colour, size and font-name characters into a style attribute; {target} cannot check that"
    )]
    StyleValue {
        /// The target, as named in messages.
        target: &'static str,
    },
    /// A case conversion the target's helpers do not perform as preview does.
    #[error("{helpers} do not change case as preview does (Unicode rules, capitalize)")]
    CaseConversion {
        /// The target's case helpers, as named in messages.
        helpers: &'static str,
    },
    /// A case conversion in a target without case helpers.
    #[error("{target} has no helper that changes case as preview does (upper, lower, capitalize)")]
    NoCaseHelper {
        /// The target, as named in messages.
        target: &'static str,
    },

    // Names and literals.
    /// A field name the target's syntax cannot spell.
    #[error("the field name {name:?} cannot be written in {language}")]
    FieldName {
        /// The name.
        name: String,
        /// The target's language, as named in messages.
        language: &'static str,
    },
    /// A top-level field name the target's syntax cannot spell.
    #[error("the top-level field name {name:?} cannot be written in {language}")]
    TopLevelFieldName {
        /// The name.
        name: String,
        /// The target's language, as named in messages.
        language: &'static str,
    },
    /// A top-level field named like a variable of the target or of the export.
    #[error("the top-level field `{0}` collides with a name Liquid or the export uses")]
    ReservedTopLevel(String),
    /// A custom attribute name Braze cannot spell.
    #[error("the attribute name {0:?} cannot be written in Braze")]
    BrazeAttribute(String),
    /// `profile` read as a whole in Braze.
    #[error("the whole profile cannot be read as one attribute (Braze, Customer.io)")]
    WholeProfile,
    /// A Handlebars string literal ending in a backslash.
    #[error("the text {0:?} ends with a backslash")]
    TrailingBackslash(String),
    /// A Handlebars string literal holding both `"` and `'`.
    #[error("the text {0:?} holds both quote characters")]
    BothQuotes(String),
    /// A name or string constant written into template code holds a template delimiter or a line break.
    #[error("the name or text {0:?} holds template syntax ({{{{, }}}}, {{%, %}}, %%, *| or |*) or a line break, which would end the tag early in an ESP's template language")]
    TemplateSyntax(String),
    /// A Liquid string literal holding both `"` and `'`.
    #[error("the text {0:?} holds both quote characters, which a Liquid string cannot")]
    LiquidQuotes(String),
    /// A constant the target cannot write (JSON as written).
    #[error("the constant {value} cannot be written in {language}")]
    Constant {
        /// The constant, as JSON.
        value: String,
        /// The target's language, as named in messages.
        language: &'static str,
    },
    /// A list or object used as a constant.
    #[error("a list or object constant")]
    CompoundConstant,

    // SendGrid.
    /// SendGrid's `if`/`in_segment` cannot search a list; segments are derived fields.
    #[error("segments are read from derived fields")]
    SegmentsDerived,
    /// SendGrid's comparison helpers coerce this constant (JSON as written).
    #[error(
        "SendGrid's equals and greaterThan coerce {0} where preview compares exactly; compare with a number or a text"
    )]
    CoercedConstant(String),
    /// SendGrid's comparison helpers coerce two recipient values.
    #[error("SendGrid's helpers coerce types when two recipient values are compared, where preview does not")]
    CoercedValues,

    // Mailchimp.
    /// A field whose merge tag is one of Mailchimp's own.
    #[error("the field {path:?} would be read as *|{tag}|*, one of Mailchimp's own merge tags")]
    ReservedMergeTag {
        /// The field's path.
        path: String,
        /// The merge tag.
        tag: String,
    },
    /// A loop item or variable read in Mailchimp.
    #[error("Mailchimp merge fields are read from the subscriber only (no loops, no loop variables)")]
    SubscriberOnly,
    /// A loop in Mailchimp.
    #[error("Mailchimp merge tags have no loops and merge fields cannot hold a list; remove the list block or export to a target that loops (liquid, braze, sendgrid)")]
    NoLoops,

    // AMPscript.
    /// A field whose attribute name starts like the export's own variables (`tsr_`).
    #[error("the field {path:?} would be read as the attribute {name:?}; names starting with tsr_ are the export's own variables")]
    OwnVariable {
        /// The field's path.
        path: String,
        /// The attribute name.
        name: String,
    },
    /// A list item printed as a whole.
    #[error("a list item printed as a whole: AMPscript rows hold fields, not values")]
    WholeItem,
    /// A nested list or an outer loop's item.
    #[error("a list inside a list item or an outer loop's item: AMPscript rows of a JSON attribute hold text only, loops are not nested")]
    Nested,
    /// A loop variable printed.
    #[error("a loop variable printed: only tests of @index, @first and @last are exported")]
    LoopVariablePrinted,
    /// Nothing to read (an empty path).
    #[error("nothing to read")]
    NothingToRead,
    /// A loop-variable test other than `@index` against a whole number.
    #[error("only @index compared with a whole number can be tested on AMPscript's loop counter")]
    LoopCounter,
    /// Something other than a field named for the manifest.
    #[error("not a field")]
    NotAField,

    // Velocity, Klaviyo, `HubL`, Iterable (text fields).
    /// A field name (after the ESP's namespace) that is one of the language's own names or the
    /// export's variables (`tsr_`, `item_`).
    #[error("the field `{name}` collides with a name {language} or the export uses")]
    ReservedName {
        /// The name.
        name: String,
        /// The target's language, as named in messages.
        language: &'static str,
    },
    /// One list looped with two different limits, for a target whose lists arrive pre-sliced.
    #[error("the list `{list}` is looped with different limits; its data arrives pre-sliced to one limit")]
    SliceConflict {
        /// The list's path.
        list: String,
    },
    /// A loop-variable test other than `@index` against a whole number, or truthiness of `@index`,
    /// `@first` and `@last`.
    #[error(
        "only @index compared with a whole number, and @index, @first and @last alone, can be tested in {language}"
    )]
    LoopVariableTest {
        /// The target's language, as named in messages.
        language: &'static str,
    },
}

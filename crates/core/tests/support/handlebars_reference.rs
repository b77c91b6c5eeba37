//! Tessera's helpers written for the handlebars crate from their documented behaviour, independently
//! of the engine: `{{default path "text"}}`, `{{in_segment "name"}}` and the escape set (Handlebars'
//! own plus `{`). Shared by the differential test (`crates/core/tests/differential.rs`) and the
//! per-recipient benchmark against the handlebars crate (`crates/workspace/benches/personalize.rs`).

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext};
use serde_json::Value;

/// Registers the escape set and the `default` and `in_segment` helpers on `hb`.
pub fn register(hb: &mut Handlebars<'_>) {
    hb.register_escape_fn(|s| handlebars::html_escape(s).replace('{', "&#123;"));
    hb.register_helper("default", Box::new(default_helper));
    hb.register_helper("in_segment", Box::new(in_segment_helper));
}

/// `{{default path "text"}}`: the value unless it is missing (absent, null, blank, empty), else the text.
fn default_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let value = h.param(0).map_or(Value::Null, |p| p.value().clone());
    let fallback = h
        .param(1)
        .and_then(|p| p.value().as_str().map(str::to_owned))
        .unwrap_or_default();
    let missing = match &value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    let text = if missing {
        fallback
    } else {
        match value {
            Value::String(s) => s,
            other => other.to_string(),
        }
    };
    out.write(&handlebars::html_escape(&text).replace('{', "&#123;"))?;
    Ok(())
}

/// `{{in_segment "name"}}`: "true" when the data's `segments` list holds the name, else nothing.
fn in_segment_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let name = h.param(0).and_then(|p| p.value().as_str()).unwrap_or_default();
    let member = ctx
        .data()
        .get("segments")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(name)));
    out.write(if member { "true" } else { "" })?;
    Ok(())
}

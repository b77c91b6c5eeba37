//! `klaviyo`: Klaviyo's Django-style template language, as a [`Dialect`] of the text-field
//! targets.
//!
//! Profile fields are the person's properties (`person.first_name`); every other field is the
//! triggering event's data (`event.cart.total_currency`). Django escapes `{{ }}` output by itself;
//! the export writes `{{ x|escape }}` in HTML anyway (escaped once whether or not the account
//! auto-escapes) and `{{ x|safe }}` in the text part, subject and preheader. A fallback that is
//! plain words is `{{ x|escape|default:"there" }}` (`default` fires on empty text), any other
//! `{% if x %}...{% else %}...{% endif %}`. Django's `{% if %}` has no parentheses: conditions are
//! nested blocks (see [`super::textual`]). Loops: `{% for item_1 in list|slice:":4" %}...{% empty %}...{% endfor %}`.

use super::hubl::symbol;
use super::neutralize;
use super::textual::{Dialect, LoopTest};
use super::Target;

/// Klaviyo.
pub struct Klaviyo;

/// Klaviyo's namespace for profile properties.
const PERSON: &str = "person";
/// Klaviyo's namespace for the triggering event's data.
const EVENT: &str = "event";

/// Names a placed path may not start with (everything sits under `person` or `event`).
const RESERVED: [&str; 4] = ["forloop", "True", "False", "None"];

fn if_block(test: &str, yes: &str, no: &str) -> String {
    if no.is_empty() {
        format!("{{% if {test} %}}{yes}{{% endif %}}")
    } else {
        format!("{{% if {test} %}}{yes}{{% else %}}{no}{{% endif %}}")
    }
}

impl Dialect for Klaviyo {
    fn target(&self) -> Target {
        Target::Klaviyo
    }

    fn language(&self) -> &'static str {
        "Klaviyo"
    }

    fn place(&self, segments: &[String]) -> Vec<String> {
        match segments.split_first() {
            Some((first, rest)) if first == "profile" && !rest.is_empty() => {
                std::iter::once(PERSON.to_owned()).chain(rest.iter().cloned()).collect()
            }
            _ => std::iter::once(EVENT.to_owned())
                .chain(segments.iter().cloned())
                .collect(),
        }
    }

    fn reserved(&self) -> &'static [&'static str] {
        &RESERVED
    }

    fn root(&self, place: &[String], _depth: usize) -> String {
        place.join(".")
    }

    fn item(&self, depth: usize, segments: &[String]) -> String {
        format!("item_{depth}.{}", segments.join("."))
    }

    fn print(&self, expr: &str, html: bool) -> String {
        if html {
            format!("{{{{ {expr}|escape }}}}")
        } else {
            format!("{{{{ {expr}|safe }}}}")
        }
    }

    fn print_or(&self, expr: &str, html: bool, fallback: &str) -> Option<String> {
        Some(if html {
            format!("{{{{ {expr}|escape|default:\"{fallback}\" }}}}")
        } else {
            format!("{{{{ {expr}|default:\"{fallback}\"|safe }}}}")
        })
    }

    fn if_set(&self, expr: &str, yes: &str, no: &str) -> String {
        if_block(expr, yes, no)
    }

    fn if_loop(&self, test: LoopTest, _depth: usize, _limit: Option<usize>, yes: &str, no: &str) -> String {
        // The list is sliced before the loop, so `forloop.last` is the last item within the limit.
        let t = match test {
            LoopTest::Index => "forloop.counter0 != 0".to_owned(),
            LoopTest::First => "forloop.first".to_owned(),
            LoopTest::Last => "forloop.last".to_owned(),
            LoopTest::Compare(op, n) => format!("forloop.counter0 {} {n}", symbol(op)),
        };
        if_block(&t, yes, no)
    }

    fn each(&self, list: &str, depth: usize, limit: Option<usize>, body: &str, otherwise: &str) -> String {
        let slice = limit.map_or(String::new(), |n| format!("|slice:\":{n}\""));
        let empty = if otherwise.is_empty() {
            String::new()
        } else {
            format!("{{% empty %}}{otherwise}")
        };
        format!("{{% for item_{depth} in {list}{slice} %}}{body}{empty}{{% endfor %}}")
    }

    fn literal(&self, text: &str) -> String {
        neutralize::jinja(text)
    }

    fn arrays(&self) -> &'static str {
        "lists of objects whose fields are text, in the person's properties (person.*) or the event's data (event.*); loops take the first N items with |slice:\":N\""
    }
}

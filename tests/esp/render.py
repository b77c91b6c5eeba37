"""Renders Klaviyo and HubL exports with the engines of their family, for tests/export.rs.

Reads one JSON document on standard input:
  {"engine": "klaviyo" | "hubl", "templates": {"name": "source", ...},
   "cases": [{"template": "name", "data": {...}}, ...]}
and prints a JSON array with one entry per case: {"ok": "rendered text"} or {"error": "message"}.

klaviyo: Django's template engine (PyPI django, pinned in requirements.txt), a standalone
  `Engine` with Django's defaults (auto-escaping on, as Klaviyo renders templates). Klaviyo's
  template language is Django's with Klaviyo's own filters added (help.klaviyo.com, "Glossary of
  variables and filters"); the export uses only tags and filters Django itself has and Klaviyo
  documents (if/else, for/empty, slice, escape, safe, default), so no Klaviyo filter is emulated
  here. Where Klaviyo's behaviour cannot be known without its servers (whether an account
  auto-escapes) the export does not depend on it: `|escape` escapes once either way. A variable the
  data lacks prints a marker that fails the comparison instead of an empty string, because the
  export's data holds every field the template reads.
hubl: Jinja2 (PyPI Jinja2, pinned), the engine HubL follows (HubSpot's Jinjava implements Jinja's
  language), with HubL's filters as HubSpot documents them (developers.hubspot.com, "HubL filters"):
  `escape` escapes & < > " ' and returns text, `default(value, default_value, boolean)` falls back
  on undefined values and, with boolean true, on every empty value. Undefined variables are errors
  (StrictUndefined): the export's data holds every field it reads.
"""

import html
import json
import sys


def klaviyo_engine():
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_TZ=False)
        django.setup()
    from django.template import Context, Engine

    engine = Engine(string_if_invalid="\x00MISSING(%s)\x00", autoescape=True)

    def compile_(source):
        return engine.from_string(source)

    def render(template, data):
        out = template.render(Context(data))
        if "\x00MISSING(" in out:
            raise ValueError("a variable the data lacks: " + out[out.index("\x00MISSING(") :].split("\x00")[1])
        return out

    return compile_, render


def hubl_engine():
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)

    def escape(value):
        # HubL's escape: the text with & < > " ' as character references, returned as text.
        return html.escape(str(value), quote=True)

    def default(value, default_value="", boolean=False):
        if isinstance(value, jinja2.Undefined) or (boolean and not value):
            return default_value
        return value

    env.filters["escape"] = escape
    env.filters["e"] = escape
    env.filters["default"] = default
    env.filters["d"] = default

    def compile_(source):
        return env.from_string(source)

    def render(template, data):
        return template.render(**data)

    return compile_, render


def main():
    doc = json.load(sys.stdin)
    engines = {"klaviyo": klaviyo_engine, "hubl": hubl_engine}
    if doc["engine"] not in engines:
        raise SystemExit("unknown engine " + doc["engine"])
    compile_, render = engines[doc["engine"]]()
    compiled = {}
    for name, source in doc["templates"].items():
        try:
            compiled[name] = ("ok", compile_(source))
        except Exception as e:  # noqa: BLE001 - every engine error is reported per template
            compiled[name] = ("error", "parse: " + str(e))
    results = []
    for case in doc["cases"]:
        kind, template = compiled.get(case["template"], ("error", "no template " + case["template"]))
        if kind == "error":
            results.append({"error": template})
            continue
        try:
            results.append({"ok": render(template, case["data"])})
        except Exception as e:  # noqa: BLE001
            results.append({"error": type(e).__name__ + ": " + str(e)})
    sys.stdout.write(json.dumps(results))


main()

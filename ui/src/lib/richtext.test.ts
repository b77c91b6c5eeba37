// @vitest-environment jsdom
// The editor's side of the shared rich-text corpus (`crates/core/tests/richtext-corpus.json`; the
// sanitizer's side is in `crates/core/src/sanitize.rs`): what the editor writes is what the
// sanitizer keeps, and what the sanitizer keeps the editor reads and writes back.
import { DOMParser as PmParser, Slice, type Node as PmNode } from "prosemirror-model";
import { EditorState, TextSelection } from "prosemirror-state";
import { describe, expect, it } from "vitest";
import corpus from "../../../crates/core/tests/richtext-corpus.json";
import {
  RULES,
  chipLabel,
  chipOf,
  cleanPastedHtml,
  exitEmptyListItem,
  fromHtml,
  insertTag,
  isOurTag,
  isSafeUrl,
  pastedTextHtml,
  schema,
  sourceOf,
  splitTags,
  toHtml,
  toggleList,
  updateTag,
} from "./richtext";

const roundTrip = (html: string): string => toHtml(fromHtml(html));

/** What a paste gives: the clipboard HTML cleaned, then read against the schema as a slice. */
function paste(html: string): string {
  const body = new DOMParser().parseFromString(`<body>${cleanPastedHtml(html)}</body>`, "text/html").body;
  const slice: Slice = PmParser.fromSchema(schema).parseSlice(body);
  const doc = schema.nodes.doc.createAndFill(null, slice.content) ?? schema.nodes.doc.create(null, schema.nodes.paragraph.create(null, slice.content));
  return toHtml(doc);
}

/** Every tag the editor's schema can write (chips write text, not a tag). */
function tagsTheEditorWrites(): Set<string> {
  const tags = new Set<string>();
  for (const [name, type] of Object.entries(schema.nodes)) {
    if (name === "doc" || name === "text" || name === "tag") continue;
    const spec = type.spec.toDOM?.(type.createAndFill() ?? type.create());
    if (Array.isArray(spec)) tags.add(String(spec[0]));
  }
  for (const type of Object.values(schema.marks)) {
    const spec = type.spec.toDOM?.(type.create(), true);
    if (Array.isArray(spec)) tags.add(String(spec[0]));
  }
  return tags;
}

function tagsIn(html: string): Set<string> {
  return new Set([...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1] ?? ""));
}

describe("the shared corpus", () => {
  it("reads and writes every kept value exactly", () => {
    for (const html of corpus.kept) expect(roundTrip(html), html).toBe(html);
  });

  it("writes the normalized forms, which it then keeps", () => {
    for (const c of corpus.normalized) {
      expect(roundTrip(c.input), c.input).toBe(c.editor);
      expect(roundTrip(c.editor)).toBe(c.editor);
    }
  });

  it("cleans pasted Word, Google Docs and web-page HTML to the subset", () => {
    for (const c of corpus.pasted) {
      const got = paste(c.input);
      expect(got, c.name).toBe(c.editor);
      expect(got).not.toMatch(/style=|class=|<span(?![^>]*title)|<script|<img|<table/);
    }
  });

  it("writes exactly the tags of the subset: each tag it can write is kept, each kept tag it writes", () => {
    const aliases = new Set(Object.keys(RULES.aliases));
    const subset = new Set(RULES.tags.filter((t) => !aliases.has(t)));
    expect(tagsTheEditorWrites()).toEqual(subset);
    // Every tag it writes appears in the corpus outputs the sanitizer's test checks.
    const outputs = [...corpus.kept, ...corpus.normalized.map((c) => c.editor), ...corpus.pasted.map((c) => c.editor)];
    const used = new Set(outputs.flatMap((h) => [...tagsIn(h)]));
    for (const t of tagsTheEditorWrites()) expect(used.has(t), t).toBe(true);
    // No heading level is allowed today, so the editor offers none.
    expect(RULES.headings).toEqual([]);
    expect(Object.keys(schema.nodes).some((n) => n.startsWith("heading"))).toBe(false);
  });

  it("checks links as the engine does", () => {
    for (const u of corpus.urls.safe) expect(isSafeUrl(u), u).toBe(true);
    for (const u of corpus.urls.unsafe) expect(isSafeUrl(u), u).toBe(false);
  });
});

describe("chips", () => {
  it("tells our tags from other braces", () => {
    expect(isOurTag('{{default profile.first_name "there"}}')).toBe(true);
    expect(isOurTag("{{#if (gt a 1)}}")).toBe(true);
    expect(isOurTag("{{/if}}")).toBe(true);
    expect(isOurTag("{{else}}")).toBe(true);
    expect(isOurTag("{{{raw}}}")).toBe(false);
    expect(isOurTag("{{7*7}}")).toBe(false);
    expect(isOurTag("{{> partial}}")).toBe(false);
    expect(isOurTag("{{ foreign | upcase }}")).toBe(false);
    expect(splitTags("a \\{{x}} {{y}}")).toEqual([{ text: "a \\{{x}} ", tag: false }, { text: "{{y}}", tag: true }]);
  });

  it("shows a field with its fallback and a condition, and writes them back", () => {
    const field = chipOf('{{default profile.first_name "there"}}');
    expect(field).toEqual({ kind: "field", path: "profile.first_name", fallback: "there" });
    expect(chipLabel(field)).toBe("profile.first_name · there");
    expect(sourceOf({ kind: "field", path: "profile.city", fallback: "your city" })).toBe('{{default profile.city "your city"}}');
    const cond = chipOf("{{#if (in_segment \"vip\")}}");
    expect(cond).toEqual({ kind: "if", condition: '(in_segment "vip")' });
    expect(sourceOf({ kind: "if", condition: "profile.vip" })).toBe("{{#if profile.vip}}");
  });

  it("inserts and edits a chip in place", () => {
    let state = EditorState.create({ doc: fromHtml("<p>Hi !</p>") });
    state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 4)));
    insertTag('{{default profile.first_name "there"}}')(state, (tr) => (state = state.apply(tr)));
    expect(toHtml(state.doc)).toBe('<p>Hi {{default profile.first_name "there"}}!</p>');
    let at = -1;
    state.doc.descendants((n, pos) => {
      if (n.type === schema.nodes.tag) at = pos;
    });
    updateTag(at, '{{default profile.first_name "friend"}}')(state, (tr) => (state = state.apply(tr)));
    expect(toHtml(state.doc)).toBe('<p>Hi {{default profile.first_name "friend"}}!</p>');
    expect(insertTag("{{7*7}}")(state)).toBe(false);
  });

  it("keeps pasted foreign braces as text and makes our placeholders chips", () => {
    const html = pastedTextHtml("Hi {{profile.first_name}} {{ x | y }}", document);
    const doc: PmNode = fromHtml(html);
    const kinds: string[] = [];
    doc.descendants((n) => {
      if (n.isInline) kinds.push(n.type.name);
    });
    expect(kinds).toEqual(["text", "tag", "text"]);
    expect(toHtml(doc)).toBe("<p>Hi {{profile.first_name}} {{ x | y }}</p>");
  });
});

describe("lists", () => {
  it("turns paragraphs into a list, switches its kind and lifts it out", () => {
    let state = EditorState.create({ doc: fromHtml("<p>a</p><p>b</p>") });
    state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 1, 5)));
    const run = (c: typeof exitEmptyListItem): void => void c(state, (tr) => (state = state.apply(tr)));
    run(toggleList(schema.nodes.bullet_list));
    expect(toHtml(state.doc)).toBe("<ul><li>a</li><li>b</li></ul>");
    run(toggleList(schema.nodes.ordered_list));
    expect(toHtml(state.doc)).toBe("<ol><li>a</li><li>b</li></ol>");
    run(toggleList(schema.nodes.ordered_list));
    expect(toHtml(state.doc)).toBe("<p>a</p><p>b</p>");
  });

  it("ends a list on Enter in its empty last item", () => {
    let state = EditorState.create({ doc: fromHtml("<ul><li>a</li><li></li></ul>") });
    state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 5)));
    expect(exitEmptyListItem(state, (tr) => (state = state.apply(tr)))).toBe(true);
    expect(toHtml(state.doc)).toBe("<ul><li>a</li></ul><p></p>");
  });
});

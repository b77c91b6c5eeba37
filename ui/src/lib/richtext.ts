// The rich-text editor's model (ProseMirror): a schema that can hold exactly the engine's rich-text
// subset (`crates/core/richtext.json`, the one definition the sanitizer reads too), the stored HTML
// read into a document and written back, placeholders and conditions as chips (`tag` nodes whose
// text is the template tag, written back verbatim), the URL check of links, and list commands.
// Framework-free: `RichTextField.svelte` mounts a view over it; `richtext.test.ts` checks it against
// the shared corpus that the Rust sanitizer's test reads too.
import { DOMParser as PmParser, DOMSerializer, Schema, type MarkSpec, type MarkType, type Node as PmNode, type NodeSpec, type NodeType } from "prosemirror-model";
import { Plugin, TextSelection, type Command, type EditorState } from "prosemirror-state";
import { Decoration, DecorationSet } from "prosemirror-view";
import rules from "../../../crates/core/richtext.json";
import { placeholder } from "./doc";

/** The rich-text subset as the engine reads it. */
export interface RichTextRules {
  tags: string[];
  void_tags: string[];
  dropped_with_content: string[];
  attributes: Record<string, string[]>;
  url_attributes: Record<string, string>;
  url_schemes: string[];
  aliases: Record<string, string>;
  headings: number[];
}

/** The shared rules (`crates/core/richtext.json`). */
export const RULES: RichTextRules = rules;

/**
 * Whether a whole URL is safe in a link: a scheme from the shared rules or a relative URL. The
 * scheme is read as a browser reads it (control characters and whitespace skipped), as the
 * engine's `escape::is_safe_url` does; the shared corpus checks both on the same URLs.
 */
export function isSafeUrl(url: string): boolean {
  let scheme = "";
  let bytes = 0;
  for (const c of url.trim()) {
    const code = c.codePointAt(0) ?? 0;
    if (code < 0x21 || code === 0x7f) continue; // ASCII control characters and whitespace
    if (c === ":") return RULES.url_schemes.includes(scheme);
    if (c === "/" || c === "?" || c === "#") return true;
    scheme += code < 0x80 ? c.toLowerCase() : c;
    bytes += UTF8.encode(c).length;
    // Longer than any scheme (16 bytes, as the engine reads it): no scheme, a relative URL.
    if (bytes > 16) return true;
  }
  return true;
}

const UTF8 = new TextEncoder();

/** A link's URL as the sanitizer judges it: the literal text before any placeholder. */
export function isSafeLink(href: string): boolean {
  const literal = href.split("{{")[0] ?? "";
  return literal === "" || isSafeUrl(literal);
}

// ---- Template tags -------------------------------------------------------------------------------

/**
 * Whether a `{{…}}` tag is one of the personalization language's (a value, a helper call, a
 * condition or loop, `else`, a closing tag); any other `{{` (`{{{x}}}`, `{{7*7}}`, `{{> p}}`)
 * stays text and prints as written. The engine has the last word: it renders a tag that does not
 * compile as text too.
 */
export function isOurTag(tag: string): boolean {
  if (!tag.startsWith("{{") || !tag.endsWith("}}") || tag.startsWith("{{{")) return false;
  const inner = tag.slice(2, -2).replace(/^~/, "").replace(/~$/, "").trim();
  if (inner === "") return false;
  if (inner.startsWith("#")) return /^#(if|unless|each)\s/.test(inner);
  if (inner.startsWith("/")) return ["if", "unless", "each"].includes(inner.slice(1).trim());
  if (inner === "else" || /^else\s+if\s/.test(inner)) return true;
  const first = inner.split(/\s+/)[0] ?? "";
  return /^[\p{L}@._][\p{L}\p{N}_.@/[\]-]*$/u.test(first) && readsAsArguments(inner);
}

/** One token of a tag's inside: a string, a number, a path or `name=`, a parenthesis, spaces. */
const ARGUMENT = /^(\s+|"[^"]*"|'[^']*'|-?\d+(\.\d+)?|[\p{L}@._][\p{L}\p{N}_.@/[\]-]*=?|[()])/u;

/** Whether a tag's inside is made of arguments only, with balanced parentheses. */
function readsAsArguments(inner: string): boolean {
  let rest = inner;
  let depth = 0;
  while (rest !== "") {
    const m = ARGUMENT.exec(rest);
    if (m === null) return false;
    if (m[0] === "(") depth++;
    if (m[0] === ")" && --depth < 0) return false;
    rest = rest.slice(m[0].length);
  }
  return depth === 0;
}

/** The longest tag read as ours (the engine's limit). */
const MAX_TAG_LEN = 2048;

/** Splits text into literal runs and our tags (a backslash-escaped `\{{` stays literal). */
export function splitTags(text: string): { text: string; tag: boolean }[] {
  const out: { text: string; tag: boolean }[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{{", i);
    if (open < 0) break;
    const close = text.indexOf("}}", open + 2);
    const end = close < 0 ? -1 : close + 2;
    const candidate = end < 0 ? "" : text.slice(open, end);
    const escaped = open > 0 && text[open - 1] === "\\";
    if (!escaped && end > 0 && candidate.length <= MAX_TAG_LEN && isOurTag(candidate)) {
      literal += text.slice(i, open);
      if (literal !== "") out.push({ text: literal, tag: false });
      literal = "";
      out.push({ text: candidate, tag: true });
      i = end;
    } else {
      literal += text.slice(i, open + 2);
      i = open + 2;
    }
  }
  literal += text.slice(i);
  if (literal !== "") out.push({ text: literal, tag: false });
  return out;
}

/** What a chip shows and lets the designer edit. */
export type Chip =
  | { kind: "field"; path: string; fallback: string }
  | { kind: "if" | "unless"; condition: string }
  | { kind: "else" }
  | { kind: "end"; closes: string }
  | { kind: "other"; text: string };

/** Reads a tag as a chip. */
export function chipOf(source: string): Chip {
  const inner = source.slice(2, -2).replace(/^~/, "").replace(/~$/, "").trim();
  const withDefault = /^default\s+([^\s"]+)\s+"([^"]*)"$/.exec(inner);
  if (withDefault) return { kind: "field", path: withDefault[1] ?? "", fallback: withDefault[2] ?? "" };
  const cond = /^#(if|unless)\s+([\s\S]+)$/.exec(inner);
  if (cond) return { kind: cond[1] === "if" ? "if" : "unless", condition: (cond[2] ?? "").trim() };
  if (inner === "else") return { kind: "else" };
  if (inner.startsWith("/")) return { kind: "end", closes: inner.slice(1).trim() };
  if (/^[\p{L}@._][\p{L}\p{N}_.@/[\]-]*$/u.test(inner)) return { kind: "field", path: inner, fallback: "" };
  return { kind: "other", text: inner };
}

/** Writes a chip back as its tag. */
export function sourceOf(chip: Chip): string {
  switch (chip.kind) {
    case "field":
      return placeholder(chip.path, chip.fallback);
    case "if":
    case "unless":
      return `{{#${chip.kind} ${chip.condition.replace(/[{}]/g, "").trim()}}}`;
    case "else":
      return "{{else}}";
    case "end":
      return `{{/${chip.closes}}}`;
    case "other":
      return `{{${chip.text.replace(/[{}]/g, "")}}}`;
  }
}

/** The chip's label: `first_name · there` for a field with a fallback, `if …` for a condition. */
export function chipLabel(chip: Chip): string {
  switch (chip.kind) {
    case "field":
      return chip.fallback === "" ? chip.path : `${chip.path} · ${chip.fallback}`;
    case "if":
    case "unless":
      return `${chip.kind} ${chip.condition}`;
    case "else":
      return "else";
    case "end":
      return `end ${chip.closes}`;
    case "other":
      return chip.text;
  }
}

// ---- Schema --------------------------------------------------------------------------------------

const titleAttr = { title: { default: null as string | null } };
const titleOf = (el: HTMLElement): { title: string | null } => ({ title: el.getAttribute("title") });
/** A node's or mark's attributes as DOM attributes (unset ones left out). */
const domAttrs = (attrs: Record<string, unknown>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v === "string") out[k] = v;
  return out;
};

function block(tag: string, content: string, extra: Partial<NodeSpec> = {}): NodeSpec {
  return {
    content,
    attrs: titleAttr,
    parseDOM: [{ tag, getAttrs: (el) => titleOf(el) }],
    toDOM: (node) => [tag, domAttrs(node.attrs), 0],
    ...extra,
  };
}

function mark(tag: string, also: string[] = []): MarkSpec {
  return {
    attrs: titleAttr,
    parseDOM: [tag, ...also].map((t) => ({ tag: t, getAttrs: (el: HTMLElement) => titleOf(el) })),
    toDOM: (m) => [tag, domAttrs(m.attrs), 0],
  };
}

/** Font weights that read as bold when pasted from Google Docs or web pages. */
const BOLD_WEIGHT = /^(bold(er)?|[6-9]00)$/;

/**
 * The editor's schema: one node or mark per tag of the subset (aliases written as their alias),
 * placeholders and conditions as `tag` chips. List items hold text directly (`<li>text</li>`,
 * as the engine's blocks write them).
 */
export const schema = new Schema({
  nodes: {
    doc: { content: "block+" },
    paragraph: block("p", "inline*", { group: "block" }),
    blockquote: block("blockquote", "block+", { group: "block", defining: true }),
    bullet_list: block("ul", "list_item+", { group: "block" }),
    ordered_list: block("ol", "list_item+", { group: "block" }),
    list_item: block("li", "inline*", { defining: true }),
    text: { group: "inline" },
    hard_break: {
      inline: true,
      group: "inline",
      selectable: false,
      attrs: titleAttr,
      parseDOM: [{ tag: "br", getAttrs: (el) => titleOf(el) }],
      toDOM: (node) => ["br", domAttrs(node.attrs)],
    },
    tag: {
      inline: true,
      group: "inline",
      atom: true,
      selectable: true,
      attrs: { source: { default: "{{}}" } },
      parseDOM: [
        {
          tag: "tsr-tag",
          getAttrs: (el) => {
            const source = el.getAttribute("data-source") ?? "";
            return isOurTag(source) ? { source } : false;
          },
        },
      ],
      // Written as a `<tsr-tag>` element, which `toHtml` turns back into the tag's text.
      toDOM: (node) => ["tsr-tag", { "data-source": String(node.attrs.source) }],
    },
  },
  // Order is nesting order when written: the link outermost.
  marks: {
    link: {
      attrs: { href: { default: null as string | null }, target: { default: null as string | null }, ...titleAttr },
      inclusive: false,
      parseDOM: [
        {
          tag: "a",
          getAttrs: (el) => {
            const href = el.getAttribute("href");
            return { href: href !== null && isSafeLink(href) ? href : null, target: el.getAttribute("target"), title: el.getAttribute("title") };
          },
        },
      ],
      toDOM: (m) => ["a", domAttrs(m.attrs), 0],
    },
    strong: {
      attrs: titleAttr,
      parseDOM: [
        { tag: "strong", getAttrs: (el) => titleOf(el) },
        // Google Docs wraps a whole paste in `<b style="font-weight:normal">`.
        { tag: "b", getAttrs: (el) => (el.style.fontWeight === "normal" ? false : titleOf(el)) },
        { style: "font-weight", getAttrs: (v) => (BOLD_WEIGHT.test(v) ? { title: null } : false) },
      ],
      toDOM: (m) => ["strong", domAttrs(m.attrs), 0],
    },
    em: {
      attrs: titleAttr,
      parseDOM: [
        { tag: "em", getAttrs: (el) => titleOf(el) },
        { tag: "i", getAttrs: (el) => titleOf(el) },
        { style: "font-style=italic", attrs: { title: null } },
      ],
      toDOM: (m) => ["em", domAttrs(m.attrs), 0],
    },
    u: mark("u"),
    s: mark("s", ["strike", "del"]),
    sup: mark("sup"),
    sub: mark("sub"),
    small: mark("small"),
    // A span means something only with a title; pasted spans (styles) keep just their text.
    span: {
      attrs: titleAttr,
      parseDOM: [{ tag: "span[title]", getAttrs: (el) => titleOf(el) }],
      toDOM: (m) => ["span", domAttrs(m.attrs), 0],
    },
  },
});

// ---- Reading and writing -------------------------------------------------------------------------

/** Replaces our tags in the text of `root` by `<tsr-tag>` elements the schema reads as chips. */
function markTags(root: HTMLElement): void {
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) texts.push(n as Text);
  for (const t of texts) {
    const parts = splitTags(t.data);
    if (!parts.some((p) => p.tag)) continue;
    const frag = doc.createDocumentFragment();
    for (const p of parts) {
      if (p.tag) {
        const el = doc.createElement("tsr-tag");
        el.setAttribute("data-source", p.text);
        frag.appendChild(el);
      } else {
        frag.appendChild(doc.createTextNode(p.text));
      }
    }
    t.replaceWith(frag);
  }
}

/**
 * List items hold text: nested lists become items of their parent list, and paragraphs inside an
 * item become lines of it (as Google Docs and many web pages write them).
 */
function flattenLists(root: HTMLElement): void {
  for (const nested of Array.from(root.querySelectorAll("li > ul, li > ol")).reverse()) {
    const item = nested.parentElement;
    if (item === null) continue;
    let after: Element = item;
    for (const child of Array.from(nested.children)) {
      after.after(child);
      after = child;
    }
    nested.remove();
  }
  for (const p of Array.from(root.querySelectorAll("li > p"))) {
    const next = p.nextElementSibling;
    if (next !== null && next.tagName === "P") p.after(p.ownerDocument.createElement("br"));
    p.replaceWith(...Array.from(p.childNodes));
  }
}

/** Parses HTML into an inert document (scripts do not run, images do not load). */
function inertBody(html: string): HTMLElement {
  const parsed = new DOMParser().parseFromString(`<!doctype html><body>${html}</body>`, "text/html");
  flattenLists(parsed.body);
  return parsed.body;
}

const parser = PmParser.fromSchema(schema);

/** Reads a stored rich-text value into an editor document. */
export function fromHtml(html: string): PmNode {
  const body = inertBody(html);
  markTags(body);
  return parser.parse(body);
}

/**
 * Cleans clipboard HTML (Word, Google Docs, web pages) before the editor reads it against the
 * schema: comments and conditional Office markup go, our tags become chips, any other `{{` stays
 * text. What the schema has no place for (styles, classes, spans, images, tables) is left out by
 * the schema itself.
 */
export function cleanPastedHtml(html: string): string {
  const body = inertBody(html.replace(/<!--\[if[\s\S]*?<!\[endif\]-->/gi, "").replace(/<!\[if[^>]*>[\s\S]*?<!\[endif\]>/gi, ""));
  markTags(body);
  return body.innerHTML;
}

/** Pasted plain text: our tags become chips, lines become paragraphs. */
export function pastedTextHtml(text: string, doc: globalThis.Document): string {
  const root = doc.createElement("div");
  for (const line of text.split(/\r?\n/)) {
    const p = doc.createElement("p");
    p.textContent = line;
    root.appendChild(p);
  }
  markTags(root);
  return root.innerHTML;
}

const serializer = DOMSerializer.fromSchema(schema);

/** Writes an editor document as the stored value (an empty document as ""); chips as their tag. */
export function toHtml(node: PmNode): string {
  const only = node.childCount === 1 ? node.firstChild : null;
  if (only !== null && only.type === schema.nodes.paragraph && only.childCount === 0 && only.attrs.title === null) return "";
  const root = document.createElement("div");
  root.appendChild(serializer.serializeFragment(node.content, { document }));
  for (const el of Array.from(root.querySelectorAll("tsr-tag"))) el.replaceWith(document.createTextNode(el.getAttribute("data-source") ?? ""));
  return root.innerHTML;
}

// ---- Conditions as visible spans -----------------------------------------------------------------

/** Outlines what a condition covers: from its `{{#if}}` chip to its closing chip. */
export const conditionSpans = new Plugin({
  props: {
    decorations(state: EditorState): DecorationSet {
      const decos: Decoration[] = [];
      const open: number[] = [];
      state.doc.descendants((node, pos) => {
        if (node.type !== schema.nodes.tag) return true;
        const chip = chipOf(String(node.attrs.source));
        if (chip.kind === "if" || chip.kind === "unless") open.push(pos);
        else if (chip.kind === "end" && (chip.closes === "if" || chip.closes === "unless")) {
          const from = open.pop();
          if (from !== undefined) {
            state.doc.nodesBetween(from, pos + node.nodeSize, (n, p) => {
              if (n.isInline) decos.push(Decoration.inline(Math.max(p, from), Math.min(p + n.nodeSize, pos + node.nodeSize), { class: "tsr-cond" }));
              return !n.isInline;
            });
          }
        }
        return false;
      });
      return DecorationSet.create(state.doc, decos);
    },
  },
});

// ---- Commands ------------------------------------------------------------------------------------

/** Whether the selection has mark `type` (or, when empty, will type with it). */
export function markActive(state: EditorState, type: MarkType): boolean {
  const { from, to, empty } = state.selection;
  return empty ? type.isInSet(state.storedMarks ?? state.selection.$from.marks()) !== undefined : state.doc.rangeHasMark(from, to, type);
}

/** Whether the selection is inside a node named `name` (a list). */
export function inList(state: EditorState, name: string): boolean {
  const at = state.selection.$from;
  for (let d = at.depth; d > 0; d--) if (at.node(d).type.name === name) return true;
  return false;
}

/** The URL of the link at the selection, if any. */
export function linkAt(state: EditorState): string | null {
  const mark = schema.marks.link?.isInSet(state.selection.$from.marks());
  return mark === undefined ? null : String(mark.attrs.href ?? "");
}

/** Inserts a chip for a template tag at the selection. */
export function insertTag(source: string): Command {
  return (state, dispatch) => {
    if (!isOurTag(source)) return false;
    if (dispatch) dispatch(state.tr.replaceSelectionWith(schema.nodes.tag.create({ source })).scrollIntoView());
    return true;
  };
}

/** Replaces the chip at `pos` with another tag. */
export function updateTag(pos: number, source: string): Command {
  return (state, dispatch) => {
    const node = state.doc.nodeAt(pos);
    if (node === null || node.type !== schema.nodes.tag || !isOurTag(source)) return false;
    if (dispatch) dispatch(state.tr.setNodeMarkup(pos, undefined, { source }));
    return true;
  };
}

/** Turns the selected paragraphs into a list of `type`, switches a list's type, or lifts it out. */
export function toggleList(type: NodeType): Command {
  return (state, dispatch) => {
    const { $from, $to } = state.selection;
    // Inside a list: the same type lifts its items out as paragraphs, the other type switches.
    for (let d = $from.depth; d > 0; d--) {
      const list = $from.node(d);
      if (list.type === schema.nodes.bullet_list || list.type === schema.nodes.ordered_list) {
        const pos = $from.before(d);
        if (!dispatch) return true;
        if (list.type !== type) {
          dispatch(state.tr.setNodeMarkup(pos, type, list.attrs));
        } else {
          const paragraphs: PmNode[] = [];
          list.forEach((item) => paragraphs.push(schema.nodes.paragraph.create(null, item.content)));
          dispatch(state.tr.replaceWith(pos, pos + list.nodeSize, paragraphs));
        }
        return true;
      }
    }
    const range = $from.blockRange($to);
    if (range === null) return false;
    const items: PmNode[] = [];
    for (let i = range.startIndex; i < range.endIndex; i++) {
      const child = range.parent.child(i);
      if (child.type !== schema.nodes.paragraph) return false;
      items.push(schema.nodes.list_item.create(null, child.content));
    }
    if (items.length === 0) return false;
    if (dispatch) dispatch(state.tr.replaceWith(range.start, range.end, type.create(null, items)));
    return true;
  };
}

/** Enter in the last list item, when empty, ends the list: the item becomes a paragraph after it. */
export const exitEmptyListItem: Command = (state, dispatch) => {
  const { $from, empty } = state.selection;
  const item = $from.parent;
  if (!empty || item.type !== schema.nodes.list_item || item.childCount > 0) return false;
  const depth = $from.depth - 1;
  const list = $from.node(depth);
  if ($from.index(depth) !== list.childCount - 1) return false;
  if (!dispatch) return true;
  const listPos = $from.before(depth);
  const tr = state.tr;
  if (list.childCount === 1) {
    tr.replaceWith(listPos, listPos + list.nodeSize, schema.nodes.paragraph.create());
    tr.setSelection(TextSelection.create(tr.doc, listPos + 1));
  } else {
    const itemPos = $from.before();
    tr.delete(itemPos, itemPos + item.nodeSize);
    const after = listPos + list.nodeSize - item.nodeSize;
    tr.insert(after, schema.nodes.paragraph.create());
    tr.setSelection(TextSelection.create(tr.doc, after + 1));
  }
  dispatch(tr.scrollIntoView());
  return true;
};

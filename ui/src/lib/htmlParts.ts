// The editable parts of an HTML block's markup (the `html` field type): each text node and each link
// and image address, so the inspector can offer them one by one. The markup is email HTML as the
// importer and Rust's sanitizer write it (attributes in double quotes), read by a small scanner: no
// DOM is needed, and the markup around a part is kept byte for byte when the part changes.

export type HtmlPartKind = "text" | "link" | "image";

export interface HtmlPart {
  kind: HtmlPartKind;
  /** The value as a reader sees it (character references decoded). */
  value: string;
  /** Where the raw value sits in the markup. */
  start: number;
  end: number;
}

const REFERENCES: [string, string][] = [["&lt;", "<"], ["&gt;", ">"], ["&quot;", '"'], ["&#39;", "'"], ["&nbsp;", "\u00a0"], ["&amp;", "&"]];

function decode(raw: string): string {
  return REFERENCES.reduce((s, [ref, ch]) => s.split(ref).join(ch), raw);
}

function encode(value: string, attribute: boolean): string {
  const s = value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return attribute ? s.replace(/"/g, "&quot;") : s;
}

/** The parts of `markup`, in document order. */
export function htmlParts(markup: string): HtmlPart[] {
  const parts: HtmlPart[] = [];
  const token = /<!--[\s\S]*?-->|<[^>]*>|[^<]+/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(markup)) !== null) {
    const raw = m[0];
    if (raw.startsWith("<!--")) continue;
    if (raw.startsWith("<")) {
      const attr = /\s(href|src)="([^"]*)"/g;
      let a: RegExpExecArray | null;
      while ((a = attr.exec(raw)) !== null) {
        const name = a[1] ?? "";
        const value = a[2] ?? "";
        const start = m.index + a.index + a[0].length - value.length - 1;
        parts.push({ kind: name === "href" ? "link" : "image", value: decode(value), start, end: start + value.length });
      }
    } else if (raw.trim() !== "") {
      const lead = raw.length - raw.trimStart().length;
      const body = raw.trim();
      parts.push({ kind: "text", value: decode(body), start: m.index + lead, end: m.index + lead + body.length });
    }
  }
  return parts;
}

/** `markup` with part `index` set to `value` (escaped for where it sits). */
export function replaceHtmlPart(markup: string, index: number, value: string): string {
  const part = htmlParts(markup)[index];
  if (part === undefined) return markup;
  return markup.slice(0, part.start) + encode(value, part.kind !== "text") + markup.slice(part.end);
}

// The preview document: the engine's HTML (blocks already wrapped in `.tsr-block` with a pick link by
// Rust), each word of a block's text made a link to `tessera-pick://block/<id>?w=<n>` (so a click
// tells the app which word, without a script in the frame), plus the editor's own styles (hover
// and selection outlines, dark or light mode). No script ever goes in: the frame is sandboxed
// without `allow-scripts` and `allow-same-origin`.

export interface PreviewLook {
  /** The selected block id: outlined, and scrolled to. */
  selected: string | null;
  /** Show the email as clients in dark mode do (its `prefers-color-scheme: dark` rules apply). */
  dark: boolean;
  /** Selectors of the elements the QA finding picked in the panel is about (`lib/qa.ts`). */
  outline?: readonly string[];
}

const DARK_QUERY = /@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)/gi;

/** Editor styles for the preview: outlines, pick links over blocks, no pointer on the email's links. */
export function editorStyles(look: PreviewLook): string {
  const sel =
    look.selected !== null && /^[a-z][a-z0-9_-]*$/.test(look.selected)
      ? `.tsr-block[data-tsr-block="${look.selected}"]{outline:2px solid #2563eb!important;outline-offset:-2px}`
      : "";
  const flagged =
    look.outline !== undefined && look.outline.length > 0
      ? `${look.outline.join(",")}{outline:3px solid #dc2626!important;outline-offset:1px}`
      : "";
  return (
    `<style data-tsr-editor>` +
    `.tsr-block{position:relative}` +
    `.tsr-block:hover{outline:2px dashed #60a5fa;outline-offset:-2px}` +
    `.tsr-pick{position:absolute;top:0;left:0;right:0;bottom:0;z-index:2147483000;display:block;cursor:pointer}` +
    // A block inside a column lies above its parent's pick link, so a click picks the inner block.
    `.tsr-block .tsr-block>.tsr-pick{z-index:2147483001}` +
    `.tsr-block .tsr-block .tsr-block>.tsr-pick{z-index:2147483002}` +
    // Word links lie above the block's pick link; they look like the text they cover.
    `a.tsr-w{position:relative;z-index:2147483100;color:inherit!important;text-decoration:inherit!important;font:inherit!important;cursor:text}` +
    `a:not(.tsr-pick):not(.tsr-w){pointer-events:none}` +
    sel +
    flagged +
    (look.dark ? `:root{color-scheme:dark!important}` : `:root{color-scheme:light!important}`) +
    `</style>`
  );
}

/**
 * The document the preview frame shows. Dark mode is emulated the way a dark-mode client applies
 * the email's own `@media (prefers-color-scheme: dark)` rules: they always apply in dark mode and
 * never in light mode, whatever the system's setting.
 */
export function previewDocument(html: string, look: PreviewLook): string {
  const themed = markWords(html).replace(DARK_QUERY, look.dark ? "@media all" : "@media not all");
  const styles = editorStyles(look);
  const at = themed.search(/<\/head>/i);
  return at < 0 ? styles + themed : themed.slice(0, at) + styles + themed.slice(at);
}

/** Elements whose content is not text of the email (or must not hold a link). */
const SKIPPED = new Set(["style", "script", "title", "textarea", "a", "button", "select", "option", "head"]);
const TOKENS = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</g;
const BLOCK_ATTR = /\sdata-tsr-block="([a-z][a-z0-9_-]*)"/;

/** Inline elements: text on either side of them without whitespace is one word ("<b>dry</b>."). */
const INLINE = new Set(["b", "strong", "i", "em", "u", "s", "span", "small", "sup", "sub", "code", "mark", "font"]);

/**
 * Walks the text of the blocks in the engine's preview HTML: `onWord(block, n, part, continued)`
 * for each whitespace-separated word of each block's own text (not its nested blocks'), in
 * document order, entities left as written; a word split by inline markup comes in parts with the
 * same `n` (`continued` for the later ones). Its answer replaces the part. Text in links, styles,
 * comments (Outlook's conditional markup) and outside blocks is left alone.
 */
function walkWords(html: string, onWord: (block: string, n: number, part: string, continued: boolean) => string): string {
  const blocks: { id: string; depth: number; words: number }[] = [];
  let divDepth = 0;
  let skipped = 0;
  let skipTag: string | null = null;
  /** The text just before ended inside a word, with only inline markup since. */
  let inWord = false;
  let out = "";
  for (const m of html.matchAll(TOKENS)) {
    const token = m[0];
    const tag = m[2]?.toLowerCase();
    if (tag !== undefined) {
      const closing = m[1] === "/";
      if (!INLINE.has(tag)) inWord = false;
      if (skipTag !== null) {
        if (closing && tag === skipTag && --skipped === 0) skipTag = null;
        else if (!closing && tag === skipTag && !token.endsWith("/>")) skipped++;
      } else if (SKIPPED.has(tag) && !closing && !token.endsWith("/>")) {
        skipTag = tag;
        skipped = 1;
      }
      if (tag === "div") {
        if (closing) {
          if (blocks.length > 0 && blocks[blocks.length - 1]?.depth === divDepth) blocks.pop();
          divDepth--;
        } else {
          divDepth++;
          const id = BLOCK_ATTR.exec(m[3] ?? "")?.[1];
          if (id !== undefined) blocks.push({ id, depth: divDepth, words: 0 });
        }
      }
      out += token;
      continue;
    }
    const block = blocks[blocks.length - 1];
    if (block === undefined || skipTag !== null || token.startsWith("<!--") || token === "<") {
      out += token;
      inWord = false;
      continue;
    }
    out += token.replace(/\s+|[^\s]+/g, (part, offset: number) => {
      if (/^\s/.test(part)) {
        inWord = false;
        return part;
      }
      const continued = inWord && offset === 0 && block.words > 0;
      inWord = true;
      return onWord(block.id, continued ? block.words - 1 : block.words++, part, continued);
    });
  }
  return out;
}

/** The preview HTML with each word of each block's text a link naming the block and the word. */
export function markWords(html: string): string {
  return walkWords(html, (block, n, word) => `<a class="tsr-w" href="tessera-pick://block/${block}?w=${n}">${word}</a>`);
}

/** The words of a block's own text in the preview HTML, as `markWords` numbers them (entities decoded). */
export function wordsOf(html: string, block: string): string[] {
  const words: string[] = [];
  walkWords(html, (b, n, part) => {
    if (b === block) words[n] = (words[n] ?? "") + decodeEntities(part);
    return part;
  });
  return words;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decodes the character references the engine's escaper writes (named and numeric). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return NAMED[ref.toLowerCase()] ?? all;
  });
}

/** The URL fragment that scrolls the preview to the selected block. */
export function fragmentFor(selected: string | null): string {
  return selected !== null && /^[a-z][a-z0-9_-]*$/.test(selected) ? `#tsr-${selected}` : "";
}

/**
 * One render at a time, always of the newest request: while a render runs, newer requests replace
 * each other and the newest runs next.
 */
export class LatestOnly<Req, Res> {
  #running = false;
  #next: Req | null = null;

  constructor(
    private readonly run: (req: Req) => Promise<Res>,
    private readonly done: (res: Res, req: Req) => void,
    private readonly failed: (e: unknown) => void,
  ) {}

  request(req: Req): void {
    this.#next = req;
    if (!this.#running) void this.#loop();
  }

  async #loop(): Promise<void> {
    this.#running = true;
    while (this.#next !== null) {
      const req = this.#next;
      this.#next = null;
      try {
        const res = await this.run(req);
        this.done(res, req);
      } catch (e) {
        this.failed(e);
      }
    }
    this.#running = false;
  }
}

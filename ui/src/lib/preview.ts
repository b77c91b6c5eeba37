// The preview document: the engine's HTML (blocks already wrapped in `.tsr-block` with a pick link by
// Rust) plus the editor's own styles (hover and selection outlines, dark or light mode). No script
// ever goes in: the frame is sandboxed without `allow-scripts` and `allow-same-origin`.

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
    `a:not(.tsr-pick){pointer-events:none}` +
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
  const themed = html.replace(DARK_QUERY, look.dark ? "@media all" : "@media not all");
  const styles = editorStyles(look);
  const at = themed.search(/<\/head>/i);
  return at < 0 ? styles + themed : themed.slice(0, at) + styles + themed.slice(at);
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

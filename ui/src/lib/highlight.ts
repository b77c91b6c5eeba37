// A small tokenizer for exported templates: the ESP languages' delimiters (Liquid and Braze
// `{{ }}` / `{% %}`, Handlebars `{{ }}` / `{{# }}`, Mailchimp `*|...|*`, AMPscript `%%[ ]%%` and
// `%%= =%%`), HTML comments and tags, and plain text. The UI renders the tokens as spans (never as
// HTML), so the code shown cannot run or inject anything.

export type TokenKind = "template" | "tag" | "comment" | "text";

export interface Token {
  kind: TokenKind;
  text: string;
}

/** Opening delimiters and their closers, longest first so `{{{` wins over `{{`. */
const TEMPLATE: ReadonlyArray<readonly [string, string]> = [
  ["{{{", "}}}"],
  ["{{", "}}"],
  ["{%", "%}"],
  ["%%[", "]%%"],
  ["%%=", "=%%"],
  ["*|", "|*"],
];

function push(out: Token[], kind: TokenKind, text: string): void {
  if (text === "") return;
  const last = out[out.length - 1];
  if (last !== undefined && last.kind === kind && kind === "text") last.text += text;
  else out.push({ kind, text });
}

/** Splits `code` into tokens; joined back, their text is exactly `code`. */
export function tokenize(code: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let text = "";
  const flush = (): void => {
    push(out, "text", text);
    text = "";
  };
  while (i < code.length) {
    const open = TEMPLATE.find(([o]) => code.startsWith(o, i));
    if (open !== undefined) {
      const end = code.indexOf(open[1], i + open[0].length);
      const stop = end === -1 ? code.length : end + open[1].length;
      flush();
      push(out, "template", code.slice(i, stop));
      i = stop;
      continue;
    }
    if (code.startsWith("<!--", i)) {
      const end = code.indexOf("-->", i + 4);
      const stop = end === -1 ? code.length : end + 3;
      flush();
      push(out, "comment", code.slice(i, stop));
      i = stop;
      continue;
    }
    if (code[i] === "<" && /[A-Za-z/!]/.test(code[i + 1] ?? "")) {
      // A tag up to its `>`; template expressions inside attributes are tokens of their own.
      flush();
      let j = i;
      let tag = "";
      while (j < code.length && code[j] !== ">") {
        const inner = TEMPLATE.find(([o]) => code.startsWith(o, j));
        if (inner !== undefined) {
          push(out, "tag", tag);
          tag = "";
          const end = code.indexOf(inner[1], j + inner[0].length);
          const stop = end === -1 ? code.length : end + inner[1].length;
          push(out, "template", code.slice(j, stop));
          j = stop;
          continue;
        }
        tag += code[j];
        j++;
      }
      if (j < code.length) tag += ">";
      push(out, "tag", tag);
      i = j + 1;
      continue;
    }
    text += code[i];
    i++;
  }
  flush();
  return out;
}

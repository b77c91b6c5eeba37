// The History screen's pure helpers: unified diff lines, value display, the author format.
import type { JsonValue } from "../bindings/serde_json/JsonValue";

/** Where the author last typed is remembered (per machine, not in the workspace). */
export const AUTHOR_KEY = "tessera.version-author";

export type DiffLineKind = "file" | "hunk" | "add" | "del" | "same";

/** The lines of a unified diff, each with its kind, for colouring. */
export function diffLines(unified: string): { kind: DiffLineKind; text: string }[] {
  const lines = unified.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((text) => ({
    kind: text.startsWith("+++") || text.startsWith("---") ? "file" : text.startsWith("@@") ? "hunk" : text.startsWith("+") ? "add" : text.startsWith("-") ? "del" : "same",
    text,
  }));
}

/** A changed value as a designer reads it: text as is, nothing as an em dash, the rest as JSON. */
export function showValue(v: JsonValue | undefined | null): string {
  if (v === undefined || v === null) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** `Name <email@example.com>`, the form versions are signed with. */
export function isAuthor(text: string): boolean {
  return /^[^<>]+\s<[^<>\s]+@[^<>\s]+>$/.test(text.trim());
}

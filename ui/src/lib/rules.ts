// The segment rule builder's model and its JSON form (segments/<name>.json, docs/segments.md).
// The builder edits a tree of plain objects with text inputs; `toJson` turns it into the
// definition the engine reads and `fromJson` reads a definition back. Anything the builder cannot
// show as fields stays as its JSON in a `raw` node, so no definition is ever lost.
import type { JsonValue } from "../bindings/serde_json/JsonValue";

export type GroupOp = "all" | "any" | "none";
export type AttrTest = "eq" | "ne" | "gt" | "lt" | "contains" | "in" | "is_empty";
export type NumOp = "eq" | "gt" | "gte" | "lt" | "lte";

export const EVENT_TYPES = ["page_view", "product_view", "add_to_cart", "purchase", "email_open", "click"] as const;
export const SCORES = ["recency", "frequency", "monetary", "engagement", "churn_risk"] as const;
export const ATTR_TESTS: readonly AttrTest[] = ["eq", "ne", "gt", "lt", "contains", "in", "is_empty"];
export const NUM_OPS: readonly NumOp[] = ["eq", "gt", "gte", "lt", "lte"];

export type RuleNode =
  | { kind: "group"; op: GroupOp; rules: RuleNode[] }
  | { kind: "attribute"; name: string; test: AttrTest; value: string }
  | { kind: "event"; event: string; within: string; atLeast: string; atMost: string; category: string; sku: string; notFollowedBy: string }
  | { kind: "custom"; name: string; within: string; atLeast: string; atMost: string; where: PropertyTest[] }
  | { kind: "sessions"; within: string; atLeast: string; atMost: string }
  | { kind: "sum"; event: string; within: string; op: NumOp; value: string }
  | { kind: "score"; score: string; op: NumOp; value: string }
  | { kind: "segment"; name: string }
  | { kind: "raw"; json: string };

export type RuleKind = RuleNode["kind"];

/** A condition on one property of a custom event (`properties.plan` is "pro"). */
export type PropertyTest = { property: string; test: AttrTest; value: string };

/** A new rule of a kind, with the defaults the engine uses. */
export function newRule(kind: RuleKind): RuleNode {
  switch (kind) {
    case "group":
      return { kind, op: "all", rules: [] };
    case "attribute":
      return { kind, name: "country", test: "eq", value: "" };
    case "event":
      return { kind, event: "purchase", within: "30d", atLeast: "", atMost: "", category: "", sku: "", notFollowedBy: "" };
    case "custom":
      return { kind, name: "", within: "30d", atLeast: "", atMost: "", where: [] };
    case "sessions":
      return { kind, within: "30d", atLeast: "3", atMost: "" };
    case "sum":
      return { kind, event: "purchase", within: "90d", op: "gt", value: "100" };
    case "score":
      return { kind, score: "recency", op: "gte", value: "4" };
    case "segment":
      return { kind, name: "" };
    case "raw":
      return { kind, json: "{}" };
  }
}

type JsonObject = { [key: string]: JsonValue };

/** A typed attribute value: numbers and true/false as such, everything else as text. */
export function typedValue(text: string): JsonValue {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === "true") return true;
  if (t === "false") return false;
  return text;
}

function valueText(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function count(text: string): number | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

function number(text: string): JsonValue {
  const t = text.trim();
  const n = Number(t);
  return t !== "" && Number.isFinite(n) ? n : t;
}

/** The value of an attribute or property comparison, typed as the engine reads it. */
function testValue(test: AttrTest, value: string): JsonValue {
  if (test === "in") return value.split(",").map((s) => typedValue(s.trim())).filter((v) => v !== "");
  if (test === "is_empty") return value.trim() !== "false";
  if (test === "contains") return value;
  return typedValue(value);
}

/** Reads `{<key>: name, <test>: value}` (an attribute rule or a property test) into its fields. */
function readTest(value: JsonObject, key: string): { name: string; test: AttrTest; value: string } | undefined {
  const name = value[key];
  if (typeof name !== "string" || Object.keys(value).length !== 2) return undefined;
  const test = ATTR_TESTS.find((t) => t in value);
  if (test === undefined) return undefined;
  const v = value[test];
  return { name, test, value: test === "in" && Array.isArray(v) ? v.map(valueText).join(", ") : valueText(v) };
}

/** The rule as the engine reads it. Blank optional fields are left out. */
export function toJson(node: RuleNode): JsonValue {
  switch (node.kind) {
    case "group":
      return { [node.op]: node.rules.map(toJson) };
    case "attribute":
      return { attribute: node.name.trim(), [node.test]: testValue(node.test, node.value) };
    case "custom": {
      const out: JsonObject = { custom_event: node.name };
      if (node.within.trim() !== "") out.within = node.within.trim();
      const least = count(node.atLeast);
      const most = count(node.atMost);
      if (least !== undefined) out.at_least = least;
      if (most !== undefined) out.at_most = most;
      if (node.where.length > 0) out.where = node.where.map((p) => ({ property: p.property, [p.test]: testValue(p.test, p.value) }));
      return out;
    }
    case "event": {
      const out: JsonObject = { event: node.event };
      if (node.within.trim() !== "") out.within = node.within.trim();
      const least = count(node.atLeast);
      const most = count(node.atMost);
      if (least !== undefined) out.at_least = least;
      if (most !== undefined) out.at_most = most;
      if (node.category.trim() !== "") out.category = node.category.trim();
      if (node.sku.trim() !== "") out.sku = node.sku.trim();
      if (node.notFollowedBy !== "") out.not_followed_by = node.notFollowedBy;
      return out;
    }
    case "sessions": {
      const inner: JsonObject = { within: node.within.trim() };
      const least = count(node.atLeast);
      const most = count(node.atMost);
      if (least !== undefined) inner.at_least = least;
      if (most !== undefined) inner.at_most = most;
      return { sessions: inner };
    }
    case "sum": {
      const out: JsonObject = { sum: node.event };
      if (node.within.trim() !== "") out.within = node.within.trim();
      out[node.op] = number(node.value);
      return out;
    }
    case "score":
      return { score: node.score, [node.op]: number(node.value) };
    case "segment":
      return { segment: node.name.trim() };
    case "raw":
      try {
        return JSON.parse(node.json) as JsonValue;
      } catch {
        return node.json;
      }
  }
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function only(o: JsonObject, allowed: readonly string[]): boolean {
  return Object.keys(o).every((k) => allowed.includes(k));
}

function text(v: JsonValue | undefined): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

/** Reads a rule; anything the builder has no fields for becomes a `raw` node holding its JSON. */
export function fromJson(value: JsonValue): RuleNode {
  const raw: RuleNode = { kind: "raw", json: JSON.stringify(value) };
  if (!isObject(value)) return raw;
  const keys = Object.keys(value);
  for (const op of ["all", "any", "none"] as const) {
    const list = value[op];
    if (keys.length === 1 && Array.isArray(list)) return { kind: "group", op, rules: list.map(fromJson) };
  }
  if (typeof value.attribute === "string") {
    const t = readTest(value, "attribute");
    return t === undefined ? raw : { kind: "attribute", name: t.name, test: t.test, value: t.value };
  }
  if (typeof value.custom_event === "string" && only(value, ["custom_event", "within", "at_least", "at_most", "where"])) {
    const list = value.where ?? [];
    if (!Array.isArray(list)) return raw;
    const where: PropertyTest[] = [];
    for (const item of list) {
      const t = isObject(item) ? readTest(item, "property") : undefined;
      if (t === undefined) return raw;
      where.push({ property: t.name, test: t.test, value: t.value });
    }
    return {
      kind: "custom",
      name: value.custom_event,
      within: text(value.within),
      atLeast: text(value.at_least),
      atMost: text(value.at_most),
      where,
    };
  }
  if (typeof value.event === "string" && only(value, ["event", "within", "at_least", "at_most", "category", "sku", "not_followed_by"])) {
    return {
      kind: "event",
      event: value.event,
      within: text(value.within),
      atLeast: text(value.at_least),
      atMost: text(value.at_most),
      category: text(value.category),
      sku: text(value.sku),
      notFollowedBy: text(value.not_followed_by),
    };
  }
  if (keys.length === 1 && isObject(value.sessions) && only(value.sessions, ["within", "at_least", "at_most"])) {
    const s = value.sessions;
    return { kind: "sessions", within: text(s.within), atLeast: text(s.at_least), atMost: text(s.at_most) };
  }
  const numOp = NUM_OPS.find((o) => o in value);
  if (typeof value.sum === "string" && numOp !== undefined && only(value, ["sum", "within", numOp])) {
    return { kind: "sum", event: value.sum, within: text(value.within), op: numOp, value: text(value[numOp]) };
  }
  if (typeof value.score === "string" && numOp !== undefined && keys.length === 2) {
    return { kind: "score", score: value.score, op: numOp, value: text(value[numOp]) };
  }
  if (typeof value.segment === "string" && keys.length === 1) return { kind: "segment", name: value.segment };
  return raw;
}

/** A whole definition file's content. */
export function definition(description: string, rule: RuleNode): JsonValue {
  const out: JsonObject = {};
  if (description.trim() !== "") out.description = description.trim();
  out.rule = toJson(rule);
  return out;
}

/** Reads a definition file's content: its description and rule (an empty `all` when missing). */
export function readDefinition(value: JsonValue): { description: string; rule: RuleNode } {
  if (!isObject(value)) return { description: "", rule: newRule("group") };
  const rule = value.rule;
  return {
    description: text(value.description),
    rule: rule === undefined ? newRule("group") : fromJson(rule),
  };
}

/** A segment name the engine accepts: lower-case letters, digits, - and _, at most 64. */
export function isSegmentName(name: string): boolean {
  return /^[a-z0-9][a-z0-9_-]{0,63}$/.test(name);
}

/** Runs `f` once `ms` after the last call (the live count while a rule is being edited). */
export class Debounced<T> {
  #timer: ReturnType<typeof setTimeout> | null = null;
  constructor(
    private readonly ms: number,
    private readonly f: (value: T) => void,
  ) {}
  call(value: T): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.f(value);
    }, this.ms);
  }
  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

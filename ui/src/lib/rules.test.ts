import { describe, expect, it, vi } from "vitest";
import { Debounced, definition, fromJson, isSegmentName, newRule, readDefinition, toJson, typedValue, type RuleNode } from "./rules";
import { tokenize } from "./highlight";

// The demo workspace's definitions (fixtures/demo/segments): each must read into builder fields
// (no raw JSON) and write back unchanged.
const DEMO = [
  { sum: "purchase", within: "90d", gt: 500 },
  { event: "add_to_cart", within: "24h", not_followed_by: "purchase" },
  { score: "churn_risk", gte: 0.75 },
  { any: [{ score: "engagement", gte: 2 }, { sessions: { within: "30d", at_least: 3 } }] },
  { all: [{ score: "recency", gte: 4 }, { score: "monetary", gte: 4 }] },
  { all: [{ segment: "vip" }, { event: "purchase", within: "90d", at_most: 0 }, { none: [{ segment: "engaged" }] }] },
  { event: "product_view", within: "48h", not_followed_by: "purchase" },
  { attribute: "loyalty_tier", eq: "Summit" },
];

function kinds(node: RuleNode): string[] {
  return node.kind === "group" ? [node.kind, ...node.rules.flatMap(kinds)] : [node.kind];
}

describe("rule builder model ↔ JSON", () => {
  it("round-trips every demo definition through builder fields", () => {
    for (const rule of DEMO) {
      const node = fromJson(rule);
      expect(kinds(node)).not.toContain("raw");
      expect(toJson(node)).toEqual(rule);
    }
  });

  it("reads and writes custom event rules with property tests", () => {
    const rule = {
      custom_event: "Trial Started",
      within: "14d",
      at_least: 2,
      where: [
        { property: "plan", in: ["pro", "team"] },
        { property: "Seats Bought", gt: 10 },
        { property: "coupon", is_empty: true },
      ],
    };
    const node = fromJson(rule);
    expect(node).toEqual({
      kind: "custom",
      name: "Trial Started",
      within: "14d",
      atLeast: "2",
      atMost: "",
      where: [
        { property: "plan", test: "in", value: "pro, team" },
        { property: "Seats Bought", test: "gt", value: "10" },
        { property: "coupon", test: "is_empty", value: "true" },
      ],
    });
    expect(toJson(node)).toEqual(rule);
    expect(toJson(newRule("custom"))).toEqual({ custom_event: "", within: "30d" });
    // A property test the builder cannot show keeps the whole rule as JSON.
    expect(fromJson({ custom_event: "X", where: [{ property: "a", eq: 1, ne: 2 }] }).kind).toBe("raw");
    expect(fromJson({ custom_event: "X", sku: "y" }).kind).toBe("raw");
  });

  it("writes attribute values typed: numbers, booleans, lists, is_empty", () => {
    expect(toJson({ kind: "attribute", name: "loyalty_points", test: "gt", value: "500" })).toEqual({ attribute: "loyalty_points", gt: 500 });
    expect(toJson({ kind: "attribute", name: "country", test: "in", value: "GB, DE ,FR" })).toEqual({ attribute: "country", in: ["GB", "DE", "FR"] });
    expect(toJson({ kind: "attribute", name: "phone", test: "is_empty", value: "" })).toEqual({ attribute: "phone", is_empty: true });
    expect(toJson({ kind: "attribute", name: "city", test: "contains", value: "12" })).toEqual({ attribute: "city", contains: "12" });
    expect(typedValue("true")).toBe(true);
    expect(typedValue("DE")).toBe("DE");
    expect(fromJson({ attribute: "country", in: ["GB", 3] })).toEqual({ kind: "attribute", name: "country", test: "in", value: "GB, 3" });
  });

  it("leaves blank optional fields out of events and sessions", () => {
    const e = newRule("event") as Extract<RuleNode, { kind: "event" }>;
    expect(toJson(e)).toEqual({ event: "purchase", within: "30d" });
    expect(toJson({ ...e, within: "", atLeast: "2", atMost: "x", category: " shoes " })).toEqual({ event: "purchase", at_least: 2, category: "shoes" });
    expect(toJson({ kind: "sessions", within: "7d", atLeast: "", atMost: "1" })).toEqual({ sessions: { within: "7d", at_most: 1 } });
  });

  it("keeps what it cannot show as raw JSON, unchanged", () => {
    const odd = { event: "purchase", unknown_key: 1 };
    const node = fromJson(odd);
    expect(node.kind).toBe("raw");
    expect(toJson(node)).toEqual(odd);
    expect(fromJson("text").kind).toBe("raw");
    expect(toJson({ kind: "raw", json: "{not json" })).toBe("{not json");
  });

  it("nests groups and builds whole definitions", () => {
    const rule: RuleNode = { kind: "group", op: "any", rules: [newRule("segment"), { kind: "group", op: "none", rules: [newRule("score")] }] };
    const def = definition("  People  ", rule);
    expect(def).toEqual({ description: "People", rule: { any: [{ segment: "" }, { none: [{ score: "recency", gte: 4 }] }] } });
    expect(readDefinition(def)).toEqual({ description: "People", rule });
    expect(readDefinition(null).rule).toEqual({ kind: "group", op: "all", rules: [] });
    expect(definition("", newRule("group"))).toEqual({ rule: { all: [] } });
  });

  it("checks segment names as the engine does", () => {
    expect(isSegmentName("big-spenders_2")).toBe(true);
    expect(isSegmentName("Big")).toBe(false);
    expect(isSegmentName("-x")).toBe(false);
    expect(isSegmentName("a".repeat(65))).toBe(false);
  });

  it("debounces the live count to the last edit", () => {
    vi.useFakeTimers();
    const seen: number[] = [];
    const d = new Debounced<number>(250, (n) => seen.push(n));
    d.call(1);
    vi.advanceTimersByTime(100);
    d.call(2);
    vi.advanceTimersByTime(249);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([2]);
    d.call(3);
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(seen).toEqual([2]);
    vi.useRealTimers();
  });
});

describe("export code tokenizer", () => {
  it("marks each target's delimiters and keeps the text exact", () => {
    const code = '<p class="x">Hi {{ profile.first_name | default: "there" }}{% if a %}*|FNAME|*%%=v(@x)=%%%%[ SET @a = 1 ]%%</p><!-- c -->';
    const tokens = tokenize(code);
    expect(tokens.map((t) => t.text).join("")).toBe(code);
    const templates = tokens.filter((t) => t.kind === "template").map((t) => t.text);
    expect(templates).toEqual(['{{ profile.first_name | default: "there" }}', "{% if a %}", "*|FNAME|*", "%%=v(@x)=%%", "%%[ SET @a = 1 ]%%"]);
    expect(tokens.filter((t) => t.kind === "comment").map((t) => t.text)).toEqual(["<!-- c -->"]);
    expect(tokens[0]).toEqual({ kind: "tag", text: '<p class="x">' });
  });

  it("splits template expressions out of attributes and survives unclosed delimiters", () => {
    const tokens = tokenize('<a href="{{url}}">x</a> a < b {{ open');
    expect(tokens.map((t) => t.kind)).toEqual(["tag", "template", "tag", "text", "tag", "text", "template"]);
    expect(tokens.map((t) => t.text).join("")).toBe('<a href="{{url}}">x</a> a < b {{ open');
  });
});

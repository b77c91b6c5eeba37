// The QA panel's logic (lib/qa.ts): stale runs, grouping by block, the client matrix, where a
// finding leads, and the preview outline it draws.
import { describe, expect, it } from "vitest";
import type { Finding } from "../bindings/Finding";
import type { QaReport } from "../bindings/QaReport";
import { previewDocument } from "./preview";
import { caseQa, clientMatrix, findingTarget, groupByBlock, outlineSelectors, StaleRuns } from "./qa";

function finding(over: Partial<Finding>): Finding {
  return { rule: "support:x", category: "support", level: "warning", message: "m", line: 1, fails: false, ...over };
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("stale QA runs", () => {
  it("starts after the delay, and a newer schedule replaces one that has not started", async () => {
    const started: number[] = [];
    const shown: number[] = [];
    const runs = new StaleRuns<number, number>(async (n) => (started.push(n), n * 10), (r) => shown.push(r), () => undefined, 5);
    runs.schedule(1);
    runs.schedule(2);
    expect(started).toEqual([]);
    await wait(20);
    expect(started).toEqual([2]);
    expect(shown).toEqual([20]);
  });

  it("discards a result that comes back after a newer schedule or a cancel, and its failure too", async () => {
    const answers = new Map<number, { ok: (n: number) => void; fail: (e: unknown) => void }>();
    const shown: number[] = [];
    const failed: unknown[] = [];
    const runs = new StaleRuns<number, number>(
      (n) => new Promise((ok, fail) => answers.set(n, { ok, fail })),
      (r) => shown.push(r),
      (e) => failed.push(e),
      0,
    );
    runs.schedule(1);
    await wait(5);
    runs.schedule(2);
    await wait(5);
    answers.get(2)?.ok(2);
    await wait(0);
    answers.get(1)?.ok(1); // late: a newer run was asked for
    await wait(0);
    expect(shown).toEqual([2]);
    runs.schedule(3);
    await wait(5);
    runs.cancel();
    answers.get(3)?.fail(new Error("late"));
    await wait(0);
    expect(failed).toEqual([]);
    runs.schedule(4);
    await wait(5);
    answers.get(4)?.fail(new Error("now"));
    await wait(0);
    expect(failed).toHaveLength(1);
  });
});

describe("grouping findings", () => {
  it("groups by block in document order, the whole email last, errors first and ignored ones not counted", () => {
    const fs = [
      finding({ block: "footer-1", level: "warning", line: 9 }),
      finding({ block: "hero-1", level: "warning", line: 2 }),
      finding({ level: "error", rule: "a11y:lang", line: 0 }),
      finding({ block: "hero-1", level: "error", line: 5 }),
      finding({ block: "hero-1", level: "error", line: 4, ignored: "on purpose" }),
      finding({ block: "removed-1", level: "info" }),
    ];
    const groups = groupByBlock(fs, ["hero-1", "text-1", "footer-1"]);
    expect(groups.map((g) => g.block)).toEqual(["hero-1", "footer-1", "removed-1", null]);
    const hero = groups[0];
    expect(hero?.findings.map((f) => [f.level, f.line])).toEqual([["error", 4], ["error", 5], ["warning", 2]]);
    expect(hero?.errors).toBe(1);
    expect(hero?.warnings).toBe(1);
    expect(groups[3]?.errors).toBe(1);
    expect(groupByBlock([], ["hero-1"])).toEqual([]);
  });

  it("lays client-support findings out per client, with totals, leaving out the rest and ignored ones", () => {
    const report: QaReport = {
      clients: ["gmail.android", "outlook.windows", "apple-mail.ios"],
      families: [],
      findings: [
        finding({ level: "error", clients: ["outlook.windows"], subject: "display: flex" }),
        finding({ level: "warning", clients: ["gmail.android", "outlook.windows"] }),
        finding({ level: "error", clients: ["apple-mail.ios"], ignored: "accepted" }),
        finding({ category: "accessibility", level: "error" }),
      ],
      data_date: "2026-01-01",
      fails: true,
      urls: [],
    };
    const m = clientMatrix(report);
    expect(m.rows.map((r) => r.cells)).toEqual([
      ["ok", "red", "ok"],
      ["amber", "amber", "ok"],
    ]);
    expect(m.red).toEqual([0, 1, 0]);
    expect(m.amber).toEqual([1, 1, 0]);
  });
});

describe("a coverage case's QA", () => {
  it("counts what is not ignored and lists what fails", () => {
    const failing = finding({ block: "vip-1", level: "error", fails: true });
    const report: QaReport = {
      clients: [],
      families: [],
      findings: [failing, finding({ level: "error", ignored: "accepted" }), finding({ level: "warning" })],
      data_date: "2026-01-01",
      fails: true,
      urls: [],
    };
    expect(caseQa(report)).toEqual({ errors: 1, warnings: 1, failing: [failing], fails: true });
  });
});

describe("where a finding leads", () => {
  it("selects the block and field, a nested block's own for `child.field`, nothing without a block", () => {
    expect(findingTarget(finding({ block: "hero-1", field: "style" }))).toEqual({ block: "hero-1", field: "style" });
    expect(findingTarget(finding({ block: "columns-1", field: "text-2.body" }))).toEqual({ block: "text-2", field: "body" });
    expect(findingTarget(finding({ block: "hero-1" }))).toEqual({ block: "hero-1", field: null });
    expect(findingTarget(finding({}))).toBeNull();
  });

  it("outlines the elements with the declaration or the element, else the block, inside the preview's style sheet", () => {
    const flex = outlineSelectors(finding({ block: "promo-1", subject: "display: flex" }));
    expect(flex).toEqual(['.tsr-block[data-tsr-block="promo-1"] [style*="display:flex" i]', '.tsr-block[data-tsr-block="promo-1"] [style*="display: flex" i]']);
    expect(outlineSelectors(finding({ block: "v-1", subject: "<video>" }))).toEqual(['.tsr-block[data-tsr-block="v-1"] video']);
    expect(outlineSelectors(finding({ block: "v-1", subject: "@media" }))).toEqual(['.tsr-block[data-tsr-block="v-1"]']);
    expect(outlineSelectors(finding({ subject: "display: flex" }))).toEqual([]);
    // Nothing from the email can end the rule or the sheet.
    expect(outlineSelectors(finding({ block: "a-1", subject: 'color: red}</style><b x="' }))).toEqual(['.tsr-block[data-tsr-block="a-1"]']);
    expect(outlineSelectors(finding({ block: '"]{}*{' }))).toEqual([]);
    const html = "<html><head></head><body>x</body></html>";
    const out = previewDocument(html, { selected: null, dark: false, outline: flex });
    expect(out).toContain(`${flex.join(",")}{outline:3px solid #dc2626!important`);
    expect(previewDocument(html, { selected: null, dark: false })).not.toContain("#dc2626");
  });
});

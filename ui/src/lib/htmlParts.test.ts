import { describe, expect, it } from "vitest";
import { htmlParts, replaceHtmlPart } from "./htmlParts";

const markup =
  '<table><tr><td style="color:#333"><!-- note --><a href="https://a.example/?x=1&amp;y=2">Shop &amp; save</a>' +
  ' <img src="images/a.png" alt="A"> Hi {{profile.first_name}}</td></tr></table>';

describe("HTML block parts", () => {
  it("lists text nodes and link and image addresses in order, decoded", () => {
    expect(htmlParts(markup).map((p) => [p.kind, p.value])).toEqual([
      ["link", "https://a.example/?x=1&y=2"],
      ["text", "Shop & save"],
      ["image", "images/a.png"],
      ["text", "Hi {{profile.first_name}}"],
    ]);
  });

  it("changes one part and keeps the rest of the markup as it was", () => {
    const next = replaceHtmlPart(markup, 1, "Save <now>");
    expect(next).toContain(">Save &lt;now&gt;</a>");
    expect(next.replace("Save &lt;now&gt;", "Shop &amp; save")).toBe(markup);
    const link = replaceHtmlPart(markup, 0, 'https://b.example/"q"');
    expect(link).toContain('href="https://b.example/&quot;q&quot;"');
    expect(replaceHtmlPart(markup, 9, "x")).toBe(markup);
  });
});

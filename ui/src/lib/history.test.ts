import { describe, expect, it } from "vitest";
import { diffLines, isAuthor, showValue } from "./history";
import { addresses, bytes } from "./screens";

describe("History helpers", () => {
  it("colours a unified diff by line kind", () => {
    const unified = "--- a/exports/w/liquid/template.html\n+++ b/exports/w/liquid/template.html\n@@ -1,2 +1,2 @@\n <p>\n-Old\n+New\n";
    expect(diffLines(unified).map((l) => l.kind)).toEqual(["file", "file", "hunk", "same", "del", "add"]);
    expect(diffLines("")).toEqual([]);
  });

  it("shows changed values in a designer's words", () => {
    expect(showValue("Hello")).toBe("Hello");
    expect(showValue(null)).toBe("—");
    expect(showValue(undefined)).toBe("—");
    expect(showValue({ a: 1 })).toBe('{"a":1}');
  });

  it("accepts authors as Name <email>", () => {
    expect(isAuthor("Ada Lovelace <ada@example.com>")).toBe(true);
    expect(isAuthor("ada@example.com")).toBe(false);
    expect(isAuthor("Ada <not an email>")).toBe(false);
  });
});

describe("Send and import helpers", () => {
  it("splits seed addresses however they are typed", () => {
    expect(addresses("a@x.com, b@x.com;c@x.com\n d@x.com  ")).toEqual(["a@x.com", "b@x.com", "c@x.com", "d@x.com"]);
    expect(addresses("  ")).toEqual([]);
  });

  it("writes sizes in words", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(328_090)).toBe("320.4 KB");
    expect(bytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });
});

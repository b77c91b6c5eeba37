import { describe, expect, it } from "vitest";
import { headline, TesseraError } from "./ipc";

describe("errors from Rust", () => {
  it("get a headline a designer understands for each code, and keep the message", () => {
    const e = new TesseraError({ code: "not_a_workspace", message: "/tmp/x: this folder is not a Tessera workspace (no tessera.toml)" });
    expect(headline(e)).toBe("That folder is not a Tessera workspace");
    expect(e.message).toContain("tessera.toml");
    expect(headline(new TesseraError({ code: "read_only", message: "" }))).toBe("This workspace cannot be saved to");
    expect(headline(new TesseraError({ code: "cancelled", message: "cancelled: nothing was written" }))).toBe("Cancelled");
    expect(headline(new Error("boom"))).toBe("Something went wrong");
  });
});

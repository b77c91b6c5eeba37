import { describe, expect, it } from "vitest";
import type { ImportedEmail } from "../bindings/ImportedEmail";
import { ImportEmailDialog, mappingRows, type ImportEmailApi } from "./importEmail";
import { TesseraError } from "./ipc";

function imported(email: string): ImportedEmail {
  return {
    email,
    path: "",
    title: "Spring",
    blocks: 2,
    problems: [],
    dictionary: ["profile.first_name", "profile.loyalty_tier"],
    visual: [],
    report: {
      file: "spring.html",
      format: "html",
      elements: [{ element: "tr", line: 4, went_to: { kind: "block", id: "text-1", block_type: "text" } }],
      merge_tags: [],
      mapping: [
        { esp_name: "FNAME", path: "profile.first_name", source: "dictionary" },
        { esp_name: "TIER", path: null, source: "none" },
        { esp_name: "CODE", path: "offer.code", source: "map" },
      ],
      removed: [],
      warnings: [],
    },
  };
}

function fakeApi(calls: string[], fail = false, noChromium = false): ImportEmailApi {
  return {
    chooseEmailFile: () => Promise.resolve("/tmp/spring.html"),
    previewEmailImport: (path, name, map, visual) => {
      calls.push(`preview ${path} ${name} ${map}${visual ? " visual" : ""}`);
      if (visual && noChromium) {
        return Promise.reject(new TesseraError({ code: "io", message: "/usr/bin/chromium: Chromium is not installed" }));
      }
      const visualDifferences = visual ? [{ width: 600, difference: 0.0132 }, { width: 375, difference: 0.021 }] : [];
      return Promise.resolve({ ...imported("spring"), visual: visualDifferences });
    },
    importEmail: (path, name, map, overwrite) => {
      calls.push(`import ${path} ${name} ${map} ${overwrite}`);
      return fail
        ? Promise.reject(new TesseraError({ code: "bad_name", message: "an email named \"spring\" already exists" }))
        : Promise.resolve({ ...imported("spring"), path: "/ws/emails/spring.email.json" });
    },
  };
}

describe("Import email dialog", () => {
  it("previews the chosen file, then imports it with the name, mapping file and overwrite choice", async () => {
    const calls: string[] = [];
    const dialog = new ImportEmailDialog(fakeApi(calls));
    dialog.toggle();
    await dialog.choose();
    expect(dialog.value.preview?.blocks).toBe(2);
    dialog.setName("Spring launch");
    dialog.setMap("/tmp/map.toml");
    await dialog.refresh();
    dialog.setOverwrite(true);
    expect(await dialog.confirm()).toBe("spring");
    expect(calls).toEqual([
      "preview /tmp/spring.html null null",
      "preview /tmp/spring.html Spring launch /tmp/map.toml",
      "import /tmp/spring.html Spring launch /tmp/map.toml true",
    ]);
    expect(dialog.value.imported?.path).toBe("/ws/emails/spring.email.json");
  });

  it("takes a typed path, and compares visually on demand, keeping the preview when Chromium is missing", async () => {
    const calls: string[] = [];
    const dialog = new ImportEmailDialog(fakeApi(calls));
    dialog.toggle();
    await dialog.setPath("  /tmp/typed.mjml ");
    expect(dialog.value.path).toBe("/tmp/typed.mjml");
    expect(dialog.value.preview?.visual).toEqual([]);
    await dialog.compare();
    expect(dialog.value.preview?.visual.map((v) => v.width)).toEqual([600, 375]);
    expect(dialog.value.comparing).toBe(false);
    expect(calls).toEqual(["preview /tmp/typed.mjml null null", "preview /tmp/typed.mjml null null visual"]);

    const missing = new ImportEmailDialog(fakeApi([], false, true));
    missing.toggle();
    await missing.choose();
    await missing.compare();
    expect(missing.value.error).toContain("Chromium is not installed");
    expect(missing.value.preview?.blocks).toBe(2);
  });

  it("shows a refused import's message and stays open", async () => {
    const dialog = new ImportEmailDialog(fakeApi([], true));
    dialog.toggle();
    await dialog.choose();
    expect(await dialog.confirm()).toBeNull();
    expect(dialog.value.error).toContain("already exists");
    expect(dialog.value.open).toBe(true);
  });

  it("lists unmapped fields first and flags paths outside the dictionary", () => {
    const rows = mappingRows(imported("x"));
    expect(rows.map((r) => [r.espName, r.inDictionary])).toEqual([
      ["TIER", false],
      ["CODE", false],
      ["FNAME", true],
    ]);
  });
});

import { describe, expect, it } from "vitest";
import type { AddedAsset } from "../bindings/AddedAsset";
import type { AssetInfo } from "../bindings/AssetInfo";
import type { Document } from "../bindings/Document";
import { AssetLibrary, assetUrl, formatBytes, isAssetPath, type AssetsApi } from "./assets";
import { setDark, setDevice } from "./blockLook";
import { TesseraError } from "./ipc";

function info(name: string, used: string[] = []): AssetInfo {
  return { name, path: `assets/${name}`, format: "png", mime: "image/png", bytes: 2048, width: 320, height: 80, used_by: used };
}

function fakeApi(): AssetsApi & { files: AssetInfo[]; calls: string[] } {
  const files: AssetInfo[] = [info("logo-0a1b2c3d4e5f.png", ["welcome"])];
  const calls: string[] = [];
  return {
    files,
    calls,
    listAssets: () => Promise.resolve([...files]),
    addAsset: (name, bytes, width) => {
      calls.push(`add ${name} ${bytes.length} ${width}`);
      if (name.endsWith(".txt")) return Promise.reject(new TesseraError({ code: "import_refused", message: `${name}: not a PNG, JPEG, GIF or WebP image` }));
      const added: AddedAsset = { asset: info(`new-111111111111.png`), existed: false, scaled_from: 2400 };
      files.push(added.asset);
      return Promise.resolve(added);
    },
    addAssetFiles: (paths) => Promise.resolve(paths.map((p) => ({ asset: info(p), existed: true, scaled_from: null }))),
    removeAsset: (name) => {
      const i = files.findIndex((f) => f.name === name);
      if (i >= 0) files.splice(i, 1);
      return Promise.resolve(null);
    },
    pruneAssets: () => {
      const unused = files.filter((f) => f.used_by.length === 0).map((f) => f.name);
      for (const n of unused) files.splice(files.findIndex((f) => f.name === n), 1);
      return Promise.resolve(unused);
    },
  };
}

describe("asset library", () => {
  it("adds chosen files with the display width, notes scaling and refusals, and lists again", async () => {
    const api = fakeApi();
    const lib = new AssetLibrary(api);
    await lib.refresh();
    expect(lib.value.assets.map((a) => a.name)).toEqual(["logo-0a1b2c3d4e5f.png"]);
    const added = await lib.addFiles([{ name: "Hero.PNG", bytes: new Uint8Array([137, 80, 78, 71]) }], 600);
    expect(api.calls).toEqual(["add Hero.PNG 4 600"]);
    expect(added.map((a) => a.asset.path)).toEqual(["assets/new-111111111111.png"]);
    expect(lib.value.note).toBe("Added assets/new-111111111111.png (scaled from 2400 px to 320 px wide)");
    expect(lib.value.assets).toHaveLength(2);
    await lib.addFiles([{ name: "notes.txt", bytes: new Uint8Array([1]) }], null);
    expect(lib.value.failed).toBe(true);
    expect(lib.value.note).toContain("notes.txt: not a PNG");
    expect(lib.value.busy).toBe(false);
  });

  it("removes unused assets and keeps used ones", async () => {
    const api = fakeApi();
    api.files.push(info("old-222222222222.png"));
    const lib = new AssetLibrary(api);
    await lib.pruneUnused();
    expect(lib.value.assets.map((a) => a.name)).toEqual(["logo-0a1b2c3d4e5f.png"]);
    expect(lib.value.note).toBe("Removed 1 unused asset(s)");
    await lib.pruneUnused();
    expect(lib.value.note).toBe("Every asset is in use");
  });

  it("recognizes asset paths and builds protocol addresses and weights", () => {
    expect(isAssetPath("assets/logo-0a1b2c3d4e5f.png")).toBe(true);
    expect(isAssetPath("assets/../x.png")).toBe(false);
    expect(isAssetPath("https://x.example/assets/a.png")).toBe(false);
    expect(assetUrl("assets/a-1.png")).toMatch(/^(tessera-asset:\/\/localhost|http:\/\/tessera-asset\.localhost)\/a-1\.png$/);
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
  });
});

describe("block look", () => {
  const doc: Document = { schema_version: 1, name: "T", subject: "", preheader: "", blocks: [{ id: "a", type: "text" }, { id: "c", type: "columns", slots: { left: [{ id: "b", type: "image" }] } }] };

  it("sets and clears device visibility, nested blocks too", () => {
    const mobile = setDevice(doc, "b", "mobile");
    expect(mobile.blocks[1]?.slots?.["left"]?.[0]?.device).toBe("mobile");
    expect(mobile.blocks[0]).toBe(doc.blocks[0]);
    const back = setDevice(mobile, "b", "all");
    expect(back.blocks[1]?.slots?.["left"]?.[0]).toEqual({ id: "b", type: "image" });
  });

  it("sets dark parts and drops an empty look", () => {
    const dark = setDark(setDark(doc, "a", "background", " #101010 "), "a", "image", "assets/logo-dark-1.png");
    expect(dark.blocks[0]?.dark).toEqual({ background: "#101010", image: "assets/logo-dark-1.png" });
    const cleared = setDark(setDark(dark, "a", "background", ""), "a", "image", "");
    expect(cleared.blocks[0]).toEqual({ id: "a", type: "text" });
  });
});

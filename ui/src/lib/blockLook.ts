// Per-block options beside the fields: on which screens the block shows, and its dark-mode look
// (background, text colour, an image replacing its first image field). Pure and immutable like doc.ts.
import type { BlockDark } from "../bindings/BlockDark";
import type { Device } from "../bindings/Device";
import type { Document } from "../bindings/Document";
import { mapBlock } from "./doc";

export type DarkPart = keyof BlockDark;

/** Sets the block's device visibility; "all" removes the option. */
export function setDevice(doc: Document, id: string, device: Device): Document {
  return mapBlock(doc, id, (b) => {
    if (device === "all") {
      const copy = { ...b };
      delete copy.device;
      return copy;
    }
    return { ...b, device };
  });
}

/** Sets one part of the block's dark look; an empty value removes it, and an empty look goes. */
export function setDark(doc: Document, id: string, part: DarkPart, value: string): Document {
  return mapBlock(doc, id, (b) => {
    const dark: BlockDark = { ...(b.dark ?? {}) };
    if (value.trim() === "") delete dark[part];
    else dark[part] = value.trim();
    const copy = { ...b };
    if (Object.keys(dark).length === 0) delete copy.dark;
    else copy.dark = dark;
    return copy;
  });
}

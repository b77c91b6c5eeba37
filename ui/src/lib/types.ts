// Shapes shared by the components.
import type { Place } from "./doc";

/** What the structure list can ask of the editor. */
export interface LayerActions {
  select: (id: string) => void;
  moveBy: (id: string, delta: -1 | 1) => void;
  duplicate: (id: string) => void;
  remove: (id: string) => void;
  drop: (payload: { type?: string; block?: string }, place: Place) => void;
  target: (parent: string, slot: string) => void;
}

// The designer's screens, in the order the navigation shows them.
export type Screen = "design" | "profiles" | "segments" | "live" | "export" | "send" | "history" | "blocks";

export interface ScreenInfo {
  id: Screen;
  label: string;
  icon: string;
  hint: string;
}

export const SCREENS: readonly ScreenInfo[] = [
  { id: "design", label: "Design", icon: "✎", hint: "Build the email with blocks and preview it" },
  { id: "profiles", label: "Profiles", icon: "☺", hint: "Import customer data and browse stored profiles" },
  { id: "segments", label: "Segments", icon: "◔", hint: "Build segment rules and see the email's coverage" },
  { id: "live", label: "Live data", icon: "⚡", hint: "Receive events and profile changes as they happen (tessera serve)" },
  { id: "export", label: "Export", icon: "⇪", hint: "Export the email to an ESP's template language" },
  { id: "send", label: "Send", icon: "✉", hint: "Send a test to seed addresses, or to the outbox" },
  { id: "history", label: "History", icon: "⟲", hint: "Versions: save, compare and restore" },
  { id: "blocks", label: "Blocks", icon: "▦", hint: "Block types and the emails that use them" },
];

/** Bytes in words (the import's file size and progress). */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Seed addresses as typed: split on commas, semicolons, spaces and new lines. */
export function addresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

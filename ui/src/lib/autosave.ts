// Autosave: a save a moment after the last edit, one save at a time, and a flush that waits for
// everything (used before switching emails and when the window closes).

/** Where the autosaver stands, for the status in the top bar. */
export type SaveStatus = "saved" | "pending" | "saving" | "error";

export class Autosaver<T> {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #pending: T | null = null;
  #running: Promise<void> | null = null;
  status: SaveStatus = "saved";
  lastError: unknown = null;

  constructor(
    private readonly save: (value: T) => Promise<void>,
    private readonly delayMs: number,
    private readonly onStatus: (s: SaveStatus) => void = () => {},
  ) {}

  /** Schedules a save of `value` after the delay; a newer value replaces an older one. */
  schedule(value: T): void {
    this.#pending = value;
    this.#set("pending");
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, this.delayMs);
  }

  /** Saves whatever is pending now and waits until every save has finished. */
  async flush(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    while (this.#running !== null || this.#pending !== null) {
      if (this.#running !== null) {
        await this.#running;
        continue;
      }
      const value = this.#pending as T;
      this.#pending = null;
      this.#set("saving");
      this.#running = this.save(value).then(
        () => {
          this.lastError = null;
          if (this.#pending === null) this.#set("saved");
        },
        (e: unknown) => {
          this.lastError = e;
          // Keep the unsaved value: the next edit or flush tries again.
          if (this.#pending === null) this.#pending = value;
          this.#set("error");
        },
      );
      await this.#running;
      this.#running = null;
      if (this.status === "error") throw this.lastError;
    }
  }

  #set(s: SaveStatus): void {
    this.status = s;
    this.onStatus(s);
  }
}

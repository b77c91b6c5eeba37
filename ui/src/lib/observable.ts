// A state that changes and tells its subscribers. It follows Svelte's store contract (`subscribe`
// calls back at once and after every change, and returns the unsubscribe function), so components
// read it as `$name`, but it imports nothing from Svelte: the state modules built on it are plain
// TypeScript, unit-tested directly.

export class Observable<T extends object> {
  #value: T;
  #listeners = new Set<(value: T) => void>();

  constructor(initial: T) {
    this.#value = initial;
  }

  /** The state as it is now (a new object after every change; never mutated). */
  get value(): T {
    return this.#value;
  }

  subscribe(run: (value: T) => void): () => void {
    this.#listeners.add(run);
    run(this.#value);
    return () => {
      this.#listeners.delete(run);
    };
  }

  /** Changes some fields; subscribers hear of it only when one of them really changed. */
  protected update(patch: Partial<T>): void {
    const keys = Object.keys(patch) as (keyof T)[];
    if (keys.every((k) => Object.is(patch[k], this.#value[k]))) return;
    this.#value = { ...this.#value, ...patch };
    for (const run of [...this.#listeners]) run(this.#value);
  }
}

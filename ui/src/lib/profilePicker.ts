// "Preview as" in the top bar: whom the preview renders as (a sample recipient, a stored profile
// or nobody) and the search over stored profiles.
import type { PreviewAs } from "../bindings/PreviewAs";
import type { ProfileHit } from "../bindings/ProfileHit";
import type { SampleInfo } from "../bindings/SampleInfo";
import { Observable } from "./observable";

export interface ProfilePickerState {
  profile: PreviewAs;
  /** The profile as the `<select>`'s value: `sample:<name>`, `stored:<email>` or `empty:`. */
  key: string;
  /** The stored-profile search as typed. */
  query: string;
  /** What the newest search found. */
  hits: ProfileHit[];
}

/** The `<select>` value for a profile. */
export function profileKey(p: PreviewAs): string {
  return p.kind === "empty" ? "empty:" : `${p.kind}:${p.id}`;
}

/** The profile a `<select>` value names (anything unknown is nobody: every fallback). */
export function parseProfileKey(key: string): PreviewAs {
  const [kind, ...rest] = key.split(":");
  const id = rest.join(":");
  return kind === "sample" ? { kind: "sample", id } : kind === "stored" ? { kind: "stored", id } : { kind: "empty" };
}

/** The first sample recipient, or nobody when the workspace has none. */
export function defaultProfile(samples: readonly SampleInfo[]): PreviewAs {
  const first = samples[0];
  return first !== undefined ? { kind: "sample", id: first.name } : { kind: "empty" };
}

export class ProfilePicker extends Observable<ProfilePickerState> {
  /** Numbers the searches, so an older answer arriving late does not replace a newer one. */
  #asked = 0;

  constructor(
    private readonly search: (query: string) => Promise<ProfileHit[]>,
    /** The user chose someone else: the preview renders again. */
    private readonly onChoose: (profile: PreviewAs) => void,
    private readonly onFail: (e: unknown) => void,
  ) {
    const profile: PreviewAs = { kind: "empty" };
    super({ profile, key: profileKey(profile), query: "", hits: [] });
  }

  get profile(): PreviewAs {
    return this.value.profile;
  }

  /** Whether the search's results are shown under it. */
  get showHits(): boolean {
    return this.value.query.trim() !== "" && this.value.hits.length > 0;
  }

  /** Another workspace is open: its first sample recipient, without rendering (the email load does). */
  reset(samples: readonly SampleInfo[]): void {
    const profile = defaultProfile(samples);
    this.update({ profile, key: profileKey(profile) });
  }

  /** Chooses by `<select>` value and renders as that profile. */
  choose(key: string): void {
    const profile = parseProfileKey(key);
    this.update({ profile, key: profileKey(profile) });
    this.onChoose(profile);
  }

  /** Renders as the stored profile with this email address. */
  chooseStored(email: string): void {
    this.choose(`stored:${email}`);
  }

  /** A search result was clicked: render as it, and close the results. */
  pick(hit: ProfileHit): void {
    this.chooseStored(hit.email);
    this.update({ query: "" });
  }

  /** The search text changed: ask the store, keep only the newest answer. */
  async find(query: string): Promise<void> {
    this.update({ query });
    const asked = ++this.#asked;
    try {
      const hits = await this.search(query);
      if (asked === this.#asked) this.update({ hits });
    } catch (e) {
      if (asked === this.#asked) this.onFail(e);
    }
  }
}

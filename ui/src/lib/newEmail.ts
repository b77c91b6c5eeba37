// The "New email" dialog of the top bar: whether it is open, the name typed, and the file name the
// email gets from it.
import { Observable } from "./observable";

export interface NewEmailState {
  open: boolean;
  /** The name as typed (the email's display name). */
  title: string;
}

/**
 * The file name (`emails/<name>.email.json`) for a typed name: lower case, runs of anything but
 * `a-z`, `0-9` and `-` become one `-`, no `-` at either end, at most 60 characters, and starting with
 * a letter (`email-` is put in front otherwise), as Rust's name check requires.
 */
export function emailNameFor(title: string): string {
  const slug = title
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return /^[a-z]/.test(slug) ? slug : `email-${slug}`;
}

export class NewEmailDialog extends Observable<NewEmailState> {
  constructor() {
    super({ open: false, title: "" });
  }

  toggle(): void {
    this.update({ open: !this.value.open });
  }

  close(): void {
    this.update({ open: false });
  }

  setTitle(title: string): void {
    this.update({ title });
  }

  /** Whether "Create" can be pressed: a name has been typed. */
  get canCreate(): boolean {
    return this.value.title.trim() !== "";
  }

  /** What to create (file name and display name), or null while no name is typed. */
  request(): { name: string; title: string } | null {
    if (!this.canCreate) return null;
    return { name: emailNameFor(this.value.title), title: this.value.title.trim() };
  }

  /** The email was created: the dialog closes and forgets the name. */
  done(): void {
    this.update({ open: false, title: "" });
  }
}

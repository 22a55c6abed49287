/**
 * Maps strings to dense integer ids and back. Strings (label keys and values, image names,
 * resource names) live only at the edges; hot loops compare ids.
 */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  /** The id of `s`, assigning the next one on first sight. */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of `s`, or -1 if it was never interned. */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  name(id: number): string {
    const s = this.strings[id];
    if (s === undefined) throw new RangeError(`no interned string with id ${id}`);
    return s;
  }

  get size(): number {
    return this.strings.length;
  }

  /** All strings in id order (for Arrow dictionaries). */
  all(): readonly string[] {
    return this.strings;
  }
}

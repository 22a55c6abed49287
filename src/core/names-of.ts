/**
 * The names of a `{ Name: 0, Other: 1, ... } as const` table indexed by value, so that each name
 * is written once (as the key). Throws unless the values are 0, 1, 2... in key order.
 */
export function namesOf<T extends Readonly<Record<string, number>>>(
  table: T,
): readonly (keyof T & string)[] & Readonly<Record<T[keyof T], keyof T & string>> {
  const names = Object.keys(table);
  for (let i = 0; i < names.length; i++)
    if (table[names[i]!] !== i) throw new Error(`namesOf: ${names[i]} is ${table[names[i]!]}, expected ${i}`);
  return names as never;
}

/** The union of a table's values: `ValueOf<typeof Verb>` is `0 | 1 | ... | 5` for `Verb = { create: 0, ... } as const`. */
export type ValueOf<T> = T[keyof T];

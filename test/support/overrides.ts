/**
 * A fake's overrides: a value replaces the default; undefined leaves the field out, as Auth0
 * leaves out what a user or an event lacks (with exactOptionalPropertyTypes, `field?: T` means
 * absent, never present and undefined).
 */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };

/** `base` with `overrides` applied; a field overridden with undefined is left out. */
export function withOverrides<T extends object>(base: T, overrides: Overrides<T>): T {
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as T;
}

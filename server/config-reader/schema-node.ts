import type { ValueReader } from './types';

/**
 * Every key Loupe recognises in a Tempo config file, as a tree mirroring the YAML.
 * A function reads a value Loupe uses; an `Ignored` marks a Tempo key Loupe accepts so that
 * existing Tempo files start unchanged, with a warning instead of a silent no-op; a nested
 * object is a section. Anything absent from this tree is a typo or a foreign key and stops
 * startup (`unknown config key`), because a silently ignored misspelling is worse.
 */
export type SchemaNode = ValueReader<unknown> | Ignored | Section;
export interface Section {
  [key: string]: SchemaNode;
}

export class Ignored {
  constructor(readonly reason?: string) {}
}

/** Section keys ending in `*` match every key with that prefix (Tempo's `metrics_generator_*`). */
export function lookupKey(section: Section, key: string): SchemaNode | undefined {
  if (Object.hasOwn(section, key)) return section[key];
  for (const [pattern, node] of Object.entries(section)) {
    if (pattern.endsWith('*') && key.startsWith(pattern.slice(0, -1))) return node;
  }
  return undefined;
}

export function ignoring(keys: string[], reason?: string): Section {
  return Object.fromEntries(keys.map((k) => [k, new Ignored(reason)]));
}

/** A YAML mapping (a plain object), as opposed to a list, a scalar or nothing. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

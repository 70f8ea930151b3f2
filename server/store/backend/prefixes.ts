/**
 * Top-level backend folders of the other signals. Trace blocks live at `<tenant>/<blockId>/`;
 * `@` can never start a tenant ID (Tempo's allowed characters are `A-Za-z0-9!-_.*'()`), so
 * these can never collide with a tenant, and the trace blocklist skips them.
 */
export const LOGS_PREFIX = '@logs';
export const METRICS_PREFIX = '@metrics';

/** True for a root entry that belongs to another signal, not to a trace tenant. */
export function isSignalPrefix(rootEntry: string): boolean {
  return rootEntry.startsWith('@');
}

/**
 * Objects Tempo keeps at a bucket's root, beside the tenants (Tempo's own listings skip them too).
 * In a bucket shared with Tempo the blocklist never takes them for tenants, and no tenant may be
 * named like them (`tenantIdProblem`).
 */
const TEMPO_ROOT_OBJECTS: ReadonlySet<string> = new Set(['tempo_cluster_seed.json', 'work.json']);

/** True for a root entry that is one of Tempo's objects rather than a tenant's folder. */
export function isTempoRootObject(rootEntry: string): boolean {
  return TEMPO_ROOT_OBJECTS.has(rootEntry);
}

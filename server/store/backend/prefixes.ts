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

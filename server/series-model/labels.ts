/** A series' labels, `__name__` included, as Prometheus keeps them. */
export type Labels = Record<string, string>;

export const METRIC_NAME = '__name__';

/** A canonical, order-independent key for a label set (names sorted; values may hold any character). */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) key += `${name}\u0000${labels[name]}\u0001`;
  return key;
}

/** The labels sorted by name, without empty values (Prometheus treats an empty label as absent). */
export function normalizeLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort()) {
    if (labels[name] !== '') out[name] = labels[name];
  }
  return out;
}

/**
 * Prometheus's translation of an OpenTelemetry name into a label name: every character that is
 * not a letter, digit or underscore becomes `_`, and a leading digit gets a `key_` prefix.
 */
export function sanitizeLabelName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  return out;
}

/** The same for metric names, which may also contain `:`. */
export function sanitizeMetricName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

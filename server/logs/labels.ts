import type { Labels } from './model';

/**
 * Label names follow Prometheus' rules (`[a-zA-Z_][a-zA-Z0-9_]*`); OTLP attribute names become
 * label names the way Loki converts them: every other character, dots included, becomes `_`,
 * and a leading digit gets a `_` in front.
 */
export function sanitizeLabelName(name: string): string {
  const replaced = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced;
}

export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A copy with keys in sorted order, so equal label sets serialise equally. */
export function sortLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort()) out[name] = labels[name];
  return out;
}

/** Loki's text form of a label set, `{a="1", b="2"}`: the identity of a stream. */
export function streamKey(labels: Labels): string {
  const parts: string[] = [];
  for (const name of Object.keys(labels).sort()) parts.push(`${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}

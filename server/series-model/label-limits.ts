/**
 * Length limits on label names and values, in UTF-8 bytes as Tempo, Mimir and Prometheus count
 * them (Go's `len`). A limit of 0 means no limit. Cutting never splits a character: a value is
 * cut to the longest prefix of whole code points (a surrogate pair stays together) that fits.
 */

export interface LabelLimits {
  maxNameBytes: number;
  maxValueBytes: number;
}

/** What a label set breaks first: the label and which of its limits. */
export interface LabelLimitViolation {
  kind: 'name' | 'value';
  name: string;
  value: string;
  bytes: number;
  limit: number;
}

/** Whether `text` takes more than `maxBytes` bytes in UTF-8 (a lone surrogate counts 3, as U+FFFD). */
export function exceedsUtf8Bytes(text: string, maxBytes: number): boolean {
  if (maxBytes <= 0) return false;
  // A UTF-16 unit is 1 to 3 bytes (a surrogate pair 4 for 2 units): most texts are decided by length alone.
  if (text.length * 3 <= maxBytes) return false;
  if (text.length > maxBytes) return true;
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

/** `text` cut to at most `maxBytes` UTF-8 bytes at a character boundary; `text` itself when it fits. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (!exceedsUtf8Bytes(text, maxBytes)) return text;
  let bytes = 0;
  let units = 0;
  // At most `maxBytes` iterations: every character is at least one byte.
  while (units < text.length) {
    const code = text.charCodeAt(units);
    let size = 3;
    let width = 1;
    if (code < 0x80) size = 1;
    else if (code < 0x800) size = 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(units + 1))) {
      size = 4;
      width = 2;
    }
    if (bytes + size > maxBytes) break;
    bytes += size;
    units += width;
  }
  // A copy, not a slice: V8 keeps a slice's whole parent (here perhaps megabytes) alive.
  return Buffer.from(text.slice(0, units), 'utf8').toString('utf8');
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Decodes `buf[start, end)` as UTF-8, reading at most `maxBytes` of it (0: all): a 10 MiB
 * attribute costs a 2 KiB string, not a 10 MiB one. Returns the text and whether it was cut.
 */
export function decodeUtf8Capped(
  buf: Buffer,
  start: number,
  end: number,
  maxBytes: number,
): { text: string; truncated: boolean } {
  if (maxBytes <= 0 || end - start <= maxBytes) {
    const text = buf.toString('utf8', start, end);
    // Invalid bytes become U+FFFD (3 bytes each), so even a short field may decode too long.
    if (!exceedsUtf8Bytes(text, maxBytes)) return { text, truncated: false };
    return { text: truncateUtf8(text, maxBytes), truncated: true };
  }
  let cut = start + maxBytes;
  // Back off to the first byte of the character the limit falls in (continuation bytes are 10xxxxxx).
  while (cut > start && (buf[cut] & 0xc0) === 0x80) cut--;
  return { text: truncateUtf8(buf.toString('utf8', start, cut), maxBytes), truncated: true };
}

/** The first label of `labels` over `limits`, or undefined when all fit. */
export function findLabelOverLimit(
  labels: Readonly<Record<string, string>>,
  limits: LabelLimits,
): LabelLimitViolation | undefined {
  for (const name in labels) {
    const value = labels[name];
    if (exceedsUtf8Bytes(name, limits.maxNameBytes)) {
      return { kind: 'name', name, value, bytes: Buffer.byteLength(name), limit: limits.maxNameBytes };
    }
    if (exceedsUtf8Bytes(value, limits.maxValueBytes)) {
      return { kind: 'value', name, value, bytes: Buffer.byteLength(value), limit: limits.maxValueBytes };
    }
  }
  return undefined;
}

/** A label name or value short enough to quote in an error message: cut, with `…` when cut. */
export function quotable(text: string, maxBytes = 64): string {
  const cut = truncateUtf8(text, maxBytes);
  return JSON.stringify(cut === text ? text : `${cut}…`);
}

/**
 * Error messages quote what the client sent, and what it sent may be 10 MiB or nested 10,000
 * deep: these keep a quote short and never walk into a value.
 */

/** How much of a label value, name or line a message quotes. */
export const QUOTED_CHARS = 100;
/** How much of a stream's label set (`{a="1", …}`) a message quotes. */
export const QUOTED_STREAM_CHARS = 1000;

/** `text` cut to `maxChars` characters followed by `…` when it is longer. */
export function abbreviate(text: string, maxChars = QUOTED_CHARS): string {
  if (text.length <= maxChars) return text;
  // Do not split a surrogate pair: half a character would show as garbage.
  const end = isHighSurrogate(text.charCodeAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return `${text.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * A parsed JSON value as a message shows it: scalars as JSON (strings cut short), arrays and
 * objects by kind only (JSON.stringify would overflow the stack on deep nesting, and repeat it all).
 */
export function describeJsonValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(abbreviate(value));
    case 'object':
      return 'an object';
    default:
      return String(value);
  }
}

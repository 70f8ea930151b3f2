/**
 * Estimated text widths for laying out SVG labels before they are drawn (there is no text
 * measurement in a pure function, nor layout in jsdom). Advance widths in em, rounded up from
 * DejaVu Sans, the widest of the fonts the UI falls back to: Inter and Arial come out narrower,
 * so a box sized from these holds the drawn text.
 */
const NARROW = new Set([...' .,:;·/\\|!\'il"ij()[]']);
const SEMI_NARROW = new Set([...'frt-']);
const WIDE = new Set([...'mw%@MW']);

function advance(char: string): number {
  if (char >= '0' && char <= '9') return 0.64;
  if (NARROW.has(char)) return 0.34;
  if (SEMI_NARROW.has(char)) return 0.44;
  if (WIDE.has(char)) return 0.98;
  if (char >= 'A' && char <= 'Z') return 0.78;
  return 0.64;
}

/** The width in pixels `text` takes at `fontPx`, erring wide. */
export function estimateTextWidth(text: string, fontPx: number): number {
  let em = 0;
  for (const char of text) em += advance(char);
  return em * fontPx;
}

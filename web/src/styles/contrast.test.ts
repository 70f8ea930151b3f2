import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * WCAG AA for the design tokens: every text colour must reach 4.5:1 on every surface it is drawn
 * on, in both themes (translucent surfaces composited over the canvas, as the browser does).
 */
const css = readFileSync(join(__dirname, 'tokens.css'), 'utf8');

function themeTokens(selector: string): Map<string, string> {
  const start = css.indexOf(selector);
  const block = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
  const tokens = new Map<string, string>();
  for (const match of block.matchAll(/--([\w-]+):\s*([^;]+);/g)) tokens.set(match[1], match[2].trim());
  return tokens;
}

type Rgba = [number, number, number, number];

function parseColor(value: string): Rgba {
  const hex = /^#([0-9a-f]{6})$/i.exec(value);
  if (hex) {
    const n = Number.parseInt(hex[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
  }
  const rgba = /^rgba?\(([^)]+)\)$/.exec(value);
  if (!rgba) throw new Error(`not a colour: ${value}`);
  const [r, g, b, a = '1'] = rgba[1].split(',').map((part) => part.trim());
  return [Number(r), Number(g), Number(b), Number(a)];
}

function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1) as Rgba;
}

function luminance([r, g, b]: Rgba): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT = ['text', 'text-strong', 'text-muted', 'text-link', 'text-error'];
const SURFACES = ['bg-canvas', 'bg-primary', 'bg-secondary', 'bg-hover', 'bg-selected'];

describe.each([
  ['dark', ':root,'],
  ['light', '[data-theme="light"]'],
])('%s theme', (_name, selector) => {
  const tokens = themeTokens(selector);
  const canvas = parseColor(tokens.get('bg-canvas')!);
  const surface = (name: string) =>
    over(parseColor(tokens.get(name)!), over(parseColor(tokens.get('bg-primary')!), canvas));

  it.each(TEXT.flatMap((text) => SURFACES.map((bg) => [text, bg])))('%s on %s reaches 4.5:1', (text, bg) => {
    expect(contrast(parseColor(tokens.get(text)!), surface(bg))).toBeGreaterThanOrEqual(4.5);
  });

  it('primary buttons: their text on the primary colour reaches 4.5:1', () => {
    expect(
      contrast(parseColor(tokens.get('primary-text')!), parseColor(tokens.get('primary')!)),
    ).toBeGreaterThanOrEqual(4.5);
  });
});

/**
 * Service colours: hues spread around the wheel, readable as bars on both themes. A service keeps
 * its colour across traces and reloads because it is picked by a hash of the name.
 */
export const SERVICE_PALETTE = [
  '#5794f2',
  '#73bf69',
  '#f2cc0c',
  '#b877d9',
  '#ff9830',
  '#37c6c0',
  '#fa6ec7',
  '#8ab8ff',
  '#96d98d',
  '#ffb357',
  '#ca95e5',
  '#1f9ff0',
  '#c8a15c',
  '#7eb26d',
  '#e0b400',
  '#a352cc',
] as const;

/** FNV-1a, enough to spread service names over the palette. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The colour of a service, stable for its name. */
export function serviceColor(service: string): string {
  return SERVICE_PALETTE[hash(service) % SERVICE_PALETTE.length];
}

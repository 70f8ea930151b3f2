import { parseGoDuration } from '../../config-reader/config-values';

/** LogQL adds days, weeks and years to Go's duration units. */
const MS_PER_UNIT: Record<string, number> = { d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/** A Go/LogQL duration (`5m`, `1h30m`, `2d`) in milliseconds, or undefined. */
export function parseLogQLDuration(text: string): number | undefined {
  const go = parseGoDuration(text);
  if (go !== undefined) return go;
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y))+$/.test(text)) return undefined;
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)([a-zµ]+)/g)) {
    const perUnit = MS_PER_UNIT[part[2]];
    const ms = perUnit === undefined ? parseGoDuration(part[0]) : Number(part[1]) * perUnit;
    if (ms === undefined) return undefined;
    total += ms;
  }
  return total;
}

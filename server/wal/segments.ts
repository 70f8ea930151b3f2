import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * How a WAL directory holds its segments: numbered files (`000000000001.wal`, …), each a run of
 * frames (see `frame.ts`). Only this folder knows the names; everyone else holds locations.
 */
const SEGMENT_SUFFIX = '.wal';

/** Where a record's data lives: its segment, and the byte range of the record's `data` inside it. */
export interface WalLocation {
  segment: number;
  offset: number;
  length: number;
}

/** The path of segment `segment` of the WAL in `dir`. */
export function segmentPath(dir: string, segment: number): string {
  return join(dir, `${String(segment).padStart(12, '0')}${SEGMENT_SUFFIX}`);
}

/** The segment numbers present in `dir`, oldest first. */
export async function listSegments(dir: string): Promise<number[]> {
  return (await readdir(dir))
    .filter((name) => name.endsWith(SEGMENT_SUFFIX))
    .map((name) => Number.parseInt(name, 10))
    .filter((n) => Number.isFinite(n))
    .sort((a, b) => a - b);
}

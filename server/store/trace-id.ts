/** Trace IDs are 16 raw bytes; blocks keep them sorted bytewise (the same order as their hex). */

export const TRACE_ID_BYTES = 16;

/** Bytewise order of two 16-byte IDs, each possibly inside a larger buffer. */
export function compareTraceIds(a: Uint8Array, b: Uint8Array, aOffset = 0, bOffset = 0): number {
  for (let i = 0; i < TRACE_ID_BYTES; i++) {
    const diff = a[aOffset + i] - b[bOffset + i];
    if (diff !== 0) return diff;
  }
  return 0;
}

export function traceIdToHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}

export function traceIdFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a 32-digit hex trace ID: ${hex}`);
  return Buffer.from(hex, 'hex');
}

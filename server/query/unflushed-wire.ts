import type { UnflushedTrace, UnflushedTraceRef } from './unflushed-source';

/**
 * How an ingester hands its unflushed data to a querier over HTTP (`/internal/v1/unflushed/…`).
 * Both answers name the blocks the ingester flushed lately (`blocks`): the querier adds any it
 * does not know yet to its blocklist before reading blocks, which keeps `UnflushedSource`'s
 * contract across processes (a block polled late is still read). Both also carry the ingester
 * process's `instance` (random per start): an ingester that restarted has forgotten the blocks
 * it flushed before, so a querier that sees a new instance polls the bucket before it answers.
 *
 * Traces answer, binary (OTLP parts are bytes; base64 in JSON would cost a third more):
 *
 * | bytes | field                                                                 |
 * |-------|-----------------------------------------------------------------------|
 * | 4     | header length H (u32 BE)                                              |
 * | H     | header, UTF-8 JSON: `{ instance, blocks: string[], traces: { key, truncated, parts: number }[] }` |
 * | …     | for each trace in header order, for each of its `parts`: u32 BE length, then the bytes |
 */
export interface UnflushedRefsAnswer {
  instance: string;
  refs: UnflushedTraceRef[];
  blocks: string[];
}

export interface UnflushedTracesAnswer {
  instance: string;
  traces: Map<string, UnflushedTrace>;
  blocks: string[];
}

interface TracesHeader {
  instance: string;
  blocks: string[];
  traces: { key: string; truncated: boolean; parts: number }[];
}

export function encodeUnflushedTraces(answer: UnflushedTracesAnswer): Buffer {
  const header: TracesHeader = { instance: answer.instance, blocks: answer.blocks, traces: [] };
  const chunks: Uint8Array[] = [];
  for (const [key, trace] of answer.traces) {
    header.traces.push({ key, truncated: trace.truncated, parts: trace.parts.length });
    for (const part of trace.parts) {
      const length = Buffer.allocUnsafe(4);
      length.writeUInt32BE(part.byteLength);
      chunks.push(length, part);
    }
  }
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, ...chunks]);
}

export class UnflushedWireError extends Error {}

export function decodeUnflushedTraces(bytes: Buffer): UnflushedTracesAnswer {
  const need = (at: number, n: number) => {
    if (at + n > bytes.length) throw new UnflushedWireError(`unflushed traces answer cut at byte ${at}`);
  };
  need(0, 4);
  const headerLength = bytes.readUInt32BE(0);
  need(4, headerLength);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as TracesHeader;
  let at = 4 + headerLength;
  const traces = new Map<string, UnflushedTrace>();
  for (const { key, truncated, parts: count } of header.traces) {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      need(at, 4);
      const length = bytes.readUInt32BE(at);
      need(at + 4, length);
      parts.push(bytes.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    traces.set(key, { parts, truncated });
  }
  if (at !== bytes.length)
    throw new UnflushedWireError(`unflushed traces answer has ${bytes.length - at} bytes too many`);
  return { instance: header.instance, traces, blocks: header.blocks };
}

import type protobuf from 'protobufjs';
import { checkDecodeBudget, MAX_DECODED_ITEMS } from '../../otlp/decode-budget';
import { LogsRequestError } from '../errors';
import { LABEL_NAME } from '../labels';
import { parseSelector } from '../logql/parser';
import type { Labels, LogEntry } from '../model';
import { parseNanos } from '../timestamp';
import { type LokiPushProto, lokiPushRequestType } from './loki-push-proto';
import { abbreviate, describeJsonValue } from './quote';
import { uncompressSnappyBlock } from './snappy-block';

/** A stream as a Loki push names it, before limits and conventions are applied. */
export interface RawStream {
  labels: Labels;
  entries: LogEntry[];
}

/**
 * Loki's JSON push body: `{"streams":[{"stream":{…},"values":[["<ns>","<line>",{meta}?]]}]}`.
 * Messages quote what was sent cut short, and never walk into a value (it may nest 10,000 deep).
 */
export function decodeLokiJson(body: Buffer): RawStream[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new LogsRequestError(`malformed JSON push body: ${(err as Error).message}`);
  }
  const streams = (parsed as { streams?: unknown })?.streams;
  if (!Array.isArray(streams))
    throw new LogsRequestError('push body must be an object with a "streams" list');
  // Each entry costs far more once ingested than its few bytes of JSON: refused before any is made.
  let entries = 0;
  for (const s of streams) {
    const values = (s as { values?: unknown } | null)?.values;
    if (Array.isArray(values)) entries += values.length;
  }
  if (entries > MAX_DECODED_ITEMS)
    throw new LogsRequestError(
      `push body refused: it holds more than ${MAX_DECODED_ITEMS} entries; send smaller batches`,
    );
  return streams.map((s: unknown, i) => {
    const at = `streams[${i}]`;
    const { stream, values } = (s ?? {}) as { stream?: unknown; values?: unknown };
    const labels = stringRecord(stream ?? {}, `${at}.stream`);
    for (const name of Object.keys(labels)) {
      if (!LABEL_NAME.test(name))
        throw new LogsRequestError(`${at}.stream: invalid label name "${abbreviate(name)}"`);
    }
    if (!Array.isArray(values))
      throw new LogsRequestError(`${at}.values must be a list of [timestamp, line] pairs`);
    const entries = values.map((v: unknown, j): LogEntry => {
      const where = `${at}.values[${j}]`;
      if (!Array.isArray(v) || v.length < 2 || v.length > 3) {
        throw new LogsRequestError(
          `${where} must be ["<unix ns>", "<line>"] or ["<unix ns>", "<line>", {metadata}]`,
        );
      }
      const time = typeof v[0] === 'string' ? parseNanos(v[0]) : undefined;
      if (!time)
        throw new LogsRequestError(
          `${where}: timestamp must be a string of unix nanoseconds, got ${describeJsonValue(v[0])}`,
        );
      if (typeof v[1] !== 'string') throw new LogsRequestError(`${where}: line must be a string`);
      const entry: LogEntry = { ms: time.ms, ns: time.ns, line: v[1] };
      if (v.length === 3 && v[2] !== null) entry.meta = stringRecord(v[2], `${where}[2]`);
      return entry;
    });
    return { labels, entries };
  });
}

function stringRecord(value: unknown, at: string): Labels {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LogsRequestError(`${at} must be an object of string values`);
  }
  const out: Labels = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new LogsRequestError(`${at}.${abbreviate(k)} must be a string, got ${describeJsonValue(v)}`);
    out[k] = v;
  }
  return out;
}

let entryType: Set<protobuf.Type> | undefined;
const entryTypes = (request: protobuf.Type) =>
  (entryType ??= new Set([request.lookupType('logproto.EntryAdapter')]));

/** Loki's protobuf push: snappy block-compressed `logproto.PushRequest`. */
export function decodeLokiProtobuf(body: Buffer, maxBytes: number): RawStream[] {
  let raw: Buffer;
  try {
    raw = uncompressSnappyBlock(body, maxBytes);
  } catch (err) {
    throw new LogsRequestError(`malformed snappy-compressed push body: ${(err as Error).message}`);
  }
  const type = lokiPushRequestType();
  try {
    checkDecodeBudget(type, raw, { items: entryTypes(type), itemName: 'entries' });
  } catch (err) {
    throw new LogsRequestError(`push body refused: ${(err as Error).message}`);
  }
  let request: LokiPushProto;
  try {
    request = type.decode(raw) as unknown as LokiPushProto;
  } catch (err) {
    throw new LogsRequestError(`malformed protobuf push body: ${(err as Error).message}`);
  }
  return (request.streams ?? []).map((s, i) => {
    const labels: Labels = {};
    try {
      for (const m of parseSelector(s.labels ?? '')) {
        if (m.op !== '=') throw new Error(`label ${abbreviate(m.name)} uses ${m.op}; only = is allowed`);
        labels[m.name] = m.value;
      }
    } catch (err) {
      throw new LogsRequestError(
        `streams[${i}]: error parsing labels ${JSON.stringify(abbreviate(s.labels ?? ''))}: ${(err as Error).message}`,
      );
    }
    const entries = (s.entries ?? []).map((e): LogEntry => {
      const seconds = Number(e.timestamp?.seconds?.toString() ?? 0);
      const nanos = e.timestamp?.nanos ?? 0;
      const totalMs = seconds * 1000 + Math.floor(nanos / 1_000_000);
      const entry: LogEntry = { ms: totalMs, ns: nanos % 1_000_000, line: e.line ?? '' };
      if (e.structuredMetadata && e.structuredMetadata.length > 0) {
        entry.meta = {};
        for (const pair of e.structuredMetadata) entry.meta[pair.name ?? ''] = pair.value ?? '';
      }
      return entry;
    });
    return { labels, entries };
  });
}

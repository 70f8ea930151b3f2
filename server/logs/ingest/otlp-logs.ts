import type protobuf from 'protobufjs';
import { checkDecodeBudget } from '../../otlp/decode-budget';
import { otlpProtoTypes } from '../../otlp/protobuf-root';
import { LogsRequestError } from '../errors';
import { sanitizeLabelName, sortLabels, streamKey } from '../labels';
import { DETECTED_LEVEL, detectLevel, levelFromSeverityNumber, normaliseLevel } from '../level';
import type { LogsLimits } from '../logs-config';
import type { Labels, LogEntry, LogPush, PushRejections } from '../model';
import { type AnyValue, anyValueToString, type KeyValue } from './any-value';
import { lineTooLongMessage, streamLabelsProblem } from './limits';

interface LongLike {
  low: number;
  high: number;
}

interface DecodedLogRecord {
  timeUnixNano?: LongLike | number | null;
  observedTimeUnixNano?: LongLike | number | null;
  severityNumber?: number | null;
  severityText?: string | null;
  body?: AnyValue | null;
  attributes?: KeyValue[] | null;
  flags?: number | null;
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
}

interface DecodedRequest {
  resourceLogs?: {
    resource?: { attributes?: KeyValue[] | null } | null;
    scopeLogs?: {
      scope?: { name?: string | null; version?: string | null; attributes?: KeyValue[] | null } | null;
      logRecords?: DecodedLogRecord[] | null;
    }[];
  }[];
}

export interface OtlpConversion {
  push: LogPush;
  rejected: PushRejections;
  lineBytes: number;
  lines: number;
}

const NS_PER_MS = 1_000_000;

/** An unsigned fixed64 nanosecond count as (ms, ns); exact, without bigint in the common case. */
function splitNanos(value: LongLike | number | null | undefined): { ms: number; ns: number } | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') {
    if (value <= 0) return undefined;
    return { ms: Math.floor(value / NS_PER_MS), ns: value % NS_PER_MS };
  }
  const high = value.high >>> 0;
  const low = value.low >>> 0;
  if (high === 0 && low === 0) return undefined;
  // high·2^32 + low with 2^32 = 4294·10^6 + 967296: exact in doubles, no bigint needed.
  const rest = high * 967296 + low;
  return { ms: high * 4294 + Math.floor(rest / NS_PER_MS), ns: rest % NS_PER_MS };
}

function attributesInto(target: Labels, attributes: KeyValue[] | null | undefined, skip?: Set<string>): void {
  for (const kv of attributes ?? []) {
    if (!kv.key || skip?.has(kv.key)) continue;
    target[sanitizeLabelName(kv.key)] = anyValueToString(kv.value);
  }
}

let logRecordType: Set<protobuf.Type> | undefined;
const logRecordTypes = (request: protobuf.Type) =>
  (logRecordType ??= new Set([request.lookupType('opentelemetry.proto.logs.v1.LogRecord')]));

/**
 * Converts an ExportLogsServiceRequest with Loki's OTLP conventions: the promoted resource
 * attributes become index labels (`service_name` always, `unknown_service` when absent); the
 * other resource attributes, scope fields, record attributes, trace/span IDs and severity become
 * structured metadata. Records whose line is too long, and all the records of a resource whose
 * labels break a limit, are rejected; the rest kept.
 */
export function convertOtlpLogs(
  body: Uint8Array,
  limits: LogsLimits,
  indexAttributes: string[],
): OtlpConversion {
  const type = otlpProtoTypes().ExportLogsServiceRequest;
  try {
    checkDecodeBudget(type, body, { items: logRecordTypes(type), itemName: 'log records' });
  } catch (err) {
    throw new LogsRequestError(`OTLP logs request refused: ${(err as Error).message}`);
  }
  let request: DecodedRequest;
  try {
    request = type.decode(body) as unknown as DecodedRequest;
  } catch (err) {
    throw new LogsRequestError(`malformed OTLP logs request: ${(err as Error).message}`);
  }
  const promoted = new Set(indexAttributes);
  const streams = new Map<string, { labels: Labels; entries: LogEntry[] }>();
  const rejected: PushRejections = { count: 0, byReason: {} };
  const reject = (reason: string, lines: number, message: () => string) => {
    rejected.count += lines;
    rejected.byReason[reason] = (rejected.byReason[reason] ?? 0) + lines;
    rejected.message ??= message();
  };
  const now = Date.now();
  let lineBytes = 0;
  let lines = 0;
  for (const resourceLogs of request.resourceLogs ?? []) {
    const labels: Labels = {};
    const resourceMeta: Labels = {};
    for (const kv of resourceLogs.resource?.attributes ?? []) {
      if (!kv.key) continue;
      const target = promoted.has(kv.key) ? labels : resourceMeta;
      target[sanitizeLabelName(kv.key)] = anyValueToString(kv.value);
    }
    labels.service_name ??= 'unknown_service';
    const sorted = sortLabels(labels);
    // As Loki's OTLP endpoint does, a resource whose labels break a limit loses all its records.
    const problem = streamLabelsProblem(sorted, limits);
    if (problem) {
      const count = (resourceLogs.scopeLogs ?? []).reduce((n, s) => n + (s.logRecords?.length ?? 0), 0);
      reject(problem.reason, count, () => problem.message);
      continue;
    }
    const key = streamKey(sorted);
    let stream = streams.get(key);
    if (!stream) {
      stream = { labels: sorted, entries: [] };
      streams.set(key, stream);
    }
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scopeMeta: Labels = { ...resourceMeta };
      if (scopeLogs.scope?.name) scopeMeta.scope_name = scopeLogs.scope.name;
      if (scopeLogs.scope?.version) scopeMeta.scope_version = scopeLogs.scope.version;
      attributesInto(scopeMeta, scopeLogs.scope?.attributes);
      const scopePairs = Object.entries(scopeMeta);
      for (const record of scopeLogs.logRecords ?? []) {
        const line = anyValueToString(record.body);
        const bytes = Buffer.byteLength(line);
        if (bytes > limits.maxLineBytes) {
          reject('line_too_long', 1, () => lineTooLongMessage(bytes, limits, key));
          continue;
        }
        const time = splitNanos(record.timeUnixNano) ??
          splitNanos(record.observedTimeUnixNano) ?? { ms: now, ns: 0 };
        const meta = recordMeta(scopePairs, record, line);
        stream.entries.push({ ms: time.ms, ns: time.ns, line, meta });
        lineBytes += bytes;
        lines++;
      }
    }
  }
  const out: LogPush = { streams: [] };
  for (const stream of streams.values()) if (stream.entries.length > 0) out.streams.push(stream);
  return { push: out, rejected, lineBytes, lines };
}

/** Copying from pairs is far cheaper per record than spreading the (dictionary-mode) scope object. */
function recordMeta(scopePairs: [string, string][], record: DecodedLogRecord, line: string): Labels {
  const meta: Labels = {};
  for (const [name, value] of scopePairs) meta[name] = value;
  attributesInto(meta, record.attributes);
  if (record.traceId && record.traceId.length > 0)
    meta.trace_id = Buffer.from(record.traceId).toString('hex');
  if (record.spanId && record.spanId.length > 0) meta.span_id = Buffer.from(record.spanId).toString('hex');
  if (record.severityText) meta.severity_text = record.severityText;
  if (record.severityNumber) meta.severity_number = String(record.severityNumber);
  if (record.flags) meta.flags = String(record.flags);
  meta[DETECTED_LEVEL] =
    levelFromSeverityNumber(record.severityNumber ?? 0) ??
    (record.severityText ? normaliseLevel(record.severityText) : undefined) ??
    detectLevel(line, undefined);
  return meta;
}

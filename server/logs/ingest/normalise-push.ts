import { LogsRequestError } from '../errors';
import { sortLabels, streamKey } from '../labels';
import { DETECTED_LEVEL, detectLevel } from '../level';
import type { LogsLimits } from '../logs-config';
import type { Labels, LogPush, StreamPush } from '../model';
import { lineTooLongMessage, streamLabelsProblem } from './limits';
import type { RawStream } from './loki-push';

export interface NormalisedPush {
  push: LogPush;
  lineBytes: number;
  lines: number;
  /** Entries or streams refused; the rest of the push is stored, then this answers 400 (as Loki does). */
  error?: LogsRequestError;
  discarded: { reason: string; lines: number }[];
}

/**
 * Loki 3's `discover_service_name` default: a stream without `service_name` takes it from the
 * first of these labels it has, else `unknown_service`, so `{service_name="…"}` finds it.
 */
export const SERVICE_NAME_SOURCES = [
  'service',
  'app',
  'application',
  'app_name',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'k8s_container_name',
  'component',
  'workload',
  'job',
  'k8s_job_name',
];

function withServiceName(labels: Labels): Labels {
  if (labels.service_name !== undefined) return labels;
  const source = SERVICE_NAME_SOURCES.find((name) => labels[name] !== undefined && labels[name] !== '');
  return sortLabels({ ...labels, service_name: source ? labels[source] : 'unknown_service' });
}

/**
 * Applies Loki's validation to a push API body: label count and lengths per stream, line size; adds
 * `service_name` and `detected_level`. Streams with the same labels are merged.
 */
export function normaliseLokiPush(raw: RawStream[], limits: LogsLimits): NormalisedPush {
  const streams = new Map<string, StreamPush>();
  const discarded: NormalisedPush['discarded'] = [];
  let error: LogsRequestError | undefined;
  let lineBytes = 0;
  let lines = 0;
  for (const s of raw) {
    const given = sortLabels(s.labels);
    // The limits apply to the labels the client sent, before a discovered service_name.
    const problem = streamLabelsProblem(given, limits);
    if (problem) {
      error ??= new LogsRequestError(problem.message);
      discarded.push({ reason: problem.reason, lines: s.entries.length });
      continue;
    }
    const labels = withServiceName(given);
    const key = streamKey(labels);
    let stream = streams.get(key);
    if (!stream) {
      stream = { labels, entries: [] };
      streams.set(key, stream);
    }
    for (const entry of s.entries) {
      const bytes = Buffer.byteLength(entry.line);
      if (bytes > limits.maxLineBytes) {
        error ??= new LogsRequestError(lineTooLongMessage(bytes, limits, key));
        discarded.push({ reason: 'line_too_long', lines: 1 });
        continue;
      }
      if (!entry.meta?.[DETECTED_LEVEL] && labels[DETECTED_LEVEL] === undefined) {
        entry.meta = { ...entry.meta, [DETECTED_LEVEL]: detectLevel(entry.line, entry.meta) };
      }
      stream.entries.push(entry);
      lineBytes += bytes;
      lines++;
    }
  }
  const push: LogPush = { streams: [...streams.values()].filter((s) => s.entries.length > 0) };
  return { push, lineBytes, lines, error, discarded };
}

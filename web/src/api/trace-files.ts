import { getTraceWorker } from '../trace/worker/trace-worker';
import type { LoadedTrace } from './client';

export type FileResult = { ok: true; trace: LoadedTrace } | { ok: false; error: string };

let opened = 0;

/**
 * Opens a trace from a JSON file's text (OTLP, Tempo or Jaeger) in the trace worker. No server
 * round trip.
 */
export async function openTraceFile(text: string, fileName: string): Promise<FileResult> {
  const workerKey = `file/${++opened}`;
  const result = await getTraceWorker().load(workerKey, text, 'json');
  if (result.status === 'empty') return { ok: false, error: `${fileName} holds no spans.` };
  if (result.status === 'invalid') return { ok: false, error: `${fileName}: ${result.message}` };
  return { ok: true, trace: { layout: result.layout, workerKey, source: 'file', fileName } };
}

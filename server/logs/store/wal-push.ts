import type { LogPush } from '../model';

/**
 * A push as the WAL keeps it: JSON of the normalised streams, entries as `[ms, ns, line, meta?]`
 * tuples. Logs are not the trace hot path; JSON keeps the record readable and versionable.
 */
type StoredEntry = [number, number, string] | [number, number, string, Record<string, string>];
interface StoredPush {
  v: 1;
  streams: { labels: Record<string, string>; entries: StoredEntry[] }[];
}

export function encodePush(push: LogPush): Buffer {
  const stored: StoredPush = {
    v: 1,
    streams: push.streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map(
        (e): StoredEntry => (e.meta ? [e.ms, e.ns, e.line, e.meta] : [e.ms, e.ns, e.line]),
      ),
    })),
  };
  return Buffer.from(JSON.stringify(stored));
}

export function decodePush(data: Uint8Array): LogPush {
  const stored = JSON.parse(
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'),
  ) as StoredPush;
  if (stored.v !== 1) throw new Error(`unknown logs WAL record version ${String(stored.v)}`);
  return {
    streams: stored.streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map(([ms, ns, line, meta]) => (meta ? { ms, ns, line, meta } : { ms, ns, line })),
    })),
  };
}

import protobuf from 'protobufjs';
import SnappyJS from 'snappyjs';

/** Loki's answer to a log query, as the tests read it. */
export interface LokiStreamsResponse {
  status: string;
  data: {
    resultType: string;
    result: {
      stream: Record<string, string>;
      values: [
        string,
        string,
        { structuredMetadata?: Record<string, string>; parsed?: Record<string, string> }?,
      ][];
    }[];
    encodingFlags?: string[];
  };
}

export interface HttpAnswer<T = unknown> {
  status: number;
  contentType: string;
  text: string;
  json(): T;
}

async function answer<T>(response: Response): Promise<HttpAnswer<T>> {
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text,
    json: () => JSON.parse(text) as T,
  };
}

/** GET a Loki API path with query parameters. */
export async function lokiGet<T = LokiStreamsResponse>(
  api: string,
  path: string,
  params: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<HttpAnswer<T>> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  }
  return answer<T>(await fetch(`${api}${path}?${search}`, { headers }));
}

/** Entries of a streams answer flattened to `{ts, line, labels}` in response order. */
export function flatten(response: LokiStreamsResponse) {
  return response.data.result.flatMap((s) =>
    s.values.map(([ts, line, extra]) => ({ ts, line, labels: s.stream, extra })),
  );
}

export async function lokiPushJson(
  api: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return answer(
    await fetch(`${api}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** Loki's `logproto.PushRequest`, built independently of the server's own definition. */
const PUSH_PROTO = `
syntax = "proto3";
package logproto;
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message LabelPairAdapter { string name = 1; string value = 2; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`;
const pushType = protobuf.parse(PUSH_PROTO, { keepCase: true }).root.lookupType('logproto.PushRequest');

export interface ProtoStream {
  labels: string;
  entries: { ns: bigint; line: string; metadata?: Record<string, string> }[];
}

/** A snappy-compressed protobuf push body, as Promtail and Alloy send it. */
export function lokiProtoBody(streams: ProtoStream[]): Buffer {
  const message = pushType.fromObject({
    streams: streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => ({
        timestamp: { seconds: String(e.ns / 1_000_000_000n), nanos: Number(e.ns % 1_000_000_000n) },
        line: e.line,
        structuredMetadata: Object.entries(e.metadata ?? {}).map(([name, value]) => ({ name, value })),
      })),
    })),
  });
  return SnappyJS.compress(Buffer.from(pushType.encode(message).finish()));
}

export async function lokiPushProto(api: string, body: Uint8Array, headers: Record<string, string> = {}) {
  return answer(
    await fetch(`${api}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', ...headers },
      body: new Uint8Array(body),
    }),
  );
}

/** Unix nanoseconds as Loki's decimal string, `secondsAgo` before now plus `offsetNs`. */
export function nanosAgo(secondsAgo: number, offsetNs = 0n): bigint {
  return BigInt(Date.now() - secondsAgo * 1000) * 1_000_000n + offsetNs;
}

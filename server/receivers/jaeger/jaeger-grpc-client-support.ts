import * as grpc from '@grpc/grpc-js';
import { POST_SPANS_PATH } from './jaeger-grpc-server';
import { jaegerProtoTypes } from './proto-batch-decoder';

/**
 * A Jaeger gRPC client for tests, built from the receiver's own `jaeger.api_v2` protos:
 * `CollectorService/PostSpans` with a request given as a plain object (encoded by protobufjs)
 * or as raw bytes (sent as they are, to see what the server makes of garbage).
 */

export interface PostSpansResult {
  code: grpc.status;
  details: string;
}

type PostSpansRequest = Record<string, unknown> | Buffer;

/** The request's protobuf bytes (raw bytes are passed through). */
export function encodePostSpansRequest(request: PostSpansRequest): Buffer {
  if (Buffer.isBuffer(request)) return request;
  const { PostSpansRequest } = jaegerProtoTypes();
  return Buffer.from(PostSpansRequest.encode(PostSpansRequest.fromObject(request)).finish());
}

/** One `PostSpans` call; `metadata` such as `{ 'x-scope-orgid': 'team-a' }`. */
export async function postSpans(
  address: string,
  request: PostSpansRequest,
  metadata: Record<string, string> = {},
): Promise<PostSpansResult> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) md.set(key, value);
  try {
    return await new Promise<PostSpansResult>((resolve) => {
      client.makeUnaryRequest(
        POST_SPANS_PATH,
        encodePostSpansRequest,
        (bytes: Buffer) => bytes,
        request,
        md,
        { deadline: Date.now() + 10_000 },
        (err: grpc.ServiceError | null) =>
          resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' }),
      );
    });
  } finally {
    client.close();
  }
}

import protobuf from 'protobufjs';

/**
 * Decoders for the two small messages an OTLP receiver answers with, written from their
 * field numbers: `ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1 }`
 * (`int64 rejected_spans = 1; string error_message = 2`) and `google.rpc.Status`
 * (`int32 code = 1; string message = 2`).
 */

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

export interface RpcStatus {
  code: number;
  message: string;
}

function skip(reader: protobuf.Reader, wireType: number): void {
  reader.skipType(wireType);
}

export function decodeExportResponse(bytes: Uint8Array): { partialSuccess?: PartialSuccess } {
  const reader = protobuf.Reader.create(bytes);
  let partialSuccess: PartialSuccess | undefined;
  while (reader.pos < reader.len) {
    const key = reader.uint32();
    if (key >>> 3 === 1 && (key & 7) === 2) {
      const end = reader.uint32() + reader.pos;
      partialSuccess = { rejectedSpans: 0, errorMessage: '' };
      while (reader.pos < end) {
        const inner = reader.uint32();
        if (inner >>> 3 === 1 && (inner & 7) === 0)
          partialSuccess.rejectedSpans = Number(reader.int64().toString());
        else if (inner >>> 3 === 2 && (inner & 7) === 2) partialSuccess.errorMessage = reader.string();
        else skip(reader, inner & 7);
      }
    } else skip(reader, key & 7);
  }
  return { partialSuccess };
}

export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const reader = protobuf.Reader.create(bytes);
  const status: RpcStatus = { code: 0, message: '' };
  while (reader.pos < reader.len) {
    const key = reader.uint32();
    if (key >>> 3 === 1 && (key & 7) === 0) status.code = reader.int32();
    else if (key >>> 3 === 2 && (key & 7) === 2) status.message = reader.string();
    else skip(reader, key & 7);
  }
  return status;
}

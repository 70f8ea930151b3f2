import { OtlpDecodeError } from '../../otlp/errors';

/**
 * A Jaeger body (Thrift `Batch` or protobuf `PostSpansRequest`) that is not well formed. The
 * message names what is wrong and where (`Batch.spans[2].tags[0].key: ...`). It carries the
 * registry's decode code, so the shared classifier answers it as it answers a malformed OTLP
 * body: 400 / INVALID_ARGUMENT, never retried, never the server's fault.
 */
export class JaegerDecodeError extends OtlpDecodeError {
  override readonly name = 'JaegerDecodeError';
}

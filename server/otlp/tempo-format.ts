import { lenFieldSize, writeVarint } from './wire';

// The JSON form lives apart; the query API takes both from here.
export { tracesDataToTempoJson } from './tempo-json';

/**
 * tempopb.TraceByIDResponse (v2 API). `trace` is TracesData, which is wire-identical to
 * tempopb.Trace, so it becomes field 1 as it is; field 1 is always present so that clients
 * get an empty Trace rather than none.
 */
export function encodeTraceByIdResponse(opts: {
  trace: Uint8Array;
  status: 'COMPLETE' | 'PARTIAL';
  message?: string;
}): Buffer {
  const message = opts.message ? Buffer.from(opts.message, 'utf8') : undefined;
  const size =
    lenFieldSize(opts.trace.length) +
    (opts.status === 'PARTIAL' ? 2 : 0) +
    (message ? lenFieldSize(message.length) : 0);
  const out = Buffer.allocUnsafe(size);
  out[0] = 0x0a; // trace = 1
  let pos = writeVarint(out, 1, opts.trace.length);
  out.set(opts.trace, pos);
  pos += opts.trace.length;
  if (opts.status === 'PARTIAL') {
    out[pos++] = 0x18; // status = 3 (PartialStatus.PARTIAL = 1; COMPLETE is the default)
    out[pos++] = 1;
  }
  if (message) {
    out[pos++] = 0x22; // message = 4
    pos = writeVarint(out, pos, message.length);
    out.set(message, pos);
    pos += message.length;
  }
  if (pos !== size) throw new Error('TraceByIDResponse size mismatch');
  return out;
}

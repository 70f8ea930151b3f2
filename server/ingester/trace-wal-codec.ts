import type { WalCodec } from '../wal/codec';

/**
 * One trace fragment (one trace's spans from one push) as a WAL record. Header layout (little
 * endian; the WAL frames header and data, see `server/wal/frame.ts`):
 *   u8 kind | u8 flags | u8 tenantLength | tenant | 16B traceId | u32 spanCount | f64 startMs | f64 endMs
 * then `data`, the fragment's OTLP TracesData bytes.
 */
export interface WalTraceRecord {
  tenantId: string;
  traceId: Uint8Array;
  spanCount: number;
  startMs: number;
  endMs: number;
  truncated: boolean;
  data: Uint8Array;
}

export const RECORD_KIND_TRACE = 1;
const FLAG_TRUNCATED = 1;
const FIXED_HEADER_BYTES = 3 + 16 + 4 + 8 + 8;

export const traceWalCodec: WalCodec<WalTraceRecord> = {
  encodeHeader(record) {
    const tenantLength = Buffer.byteLength(record.tenantId, 'utf8');
    const header = Buffer.allocUnsafe(FIXED_HEADER_BYTES + tenantLength);
    header[0] = RECORD_KIND_TRACE;
    header[1] = record.truncated ? FLAG_TRUNCATED : 0;
    header[2] = tenantLength;
    let pos = 3 + header.write(record.tenantId, 3, 'utf8');
    header.set(record.traceId, pos);
    pos += 16;
    header.writeUInt32LE(record.spanCount, pos);
    header.writeDoubleLE(record.startMs, pos + 4);
    header.writeDoubleLE(record.endMs, pos + 12);
    return header;
  },
  decode(payload) {
    if (payload.length < FIXED_HEADER_BYTES || payload[0] !== RECORD_KIND_TRACE) return undefined;
    const tenantLength = payload[2];
    if (FIXED_HEADER_BYTES + tenantLength > payload.length) return undefined;
    let pos = 3;
    const tenantId = payload.toString('utf8', pos, pos + tenantLength);
    pos += tenantLength;
    const traceId = payload.subarray(pos, pos + 16);
    pos += 16;
    return {
      tenantId,
      traceId,
      spanCount: payload.readUInt32LE(pos),
      startMs: payload.readDoubleLE(pos + 4),
      endMs: payload.readDoubleLE(pos + 12),
      truncated: (payload[1] & FLAG_TRUNCATED) !== 0,
      data: payload.subarray(pos + 20),
    };
  },
};

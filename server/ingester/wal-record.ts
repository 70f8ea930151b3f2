import { crc32 } from 'node:zlib';

/**
 * WAL record layout (little endian):
 *   frame:   u32 payloadLength | u32 crc32(payload) | payload
 *   payload: u8 kind | u8 flags | u8 tenantLength | tenant | 16B traceId |
 *            u32 spanCount | f64 startMs | f64 endMs | data (OTLP TracesData bytes)
 * A frame whose length runs past the file end or whose CRC does not match marks a torn tail:
 * everything before it was acknowledged, nothing after it was.
 */
export const FRAME_HEADER_BYTES = 8;

/** A segment's file name inside the WAL directory (the block-builder worker opens them too). */
export function walSegmentFileName(segment: number): string {
  return `${String(segment).padStart(12, '0')}.wal`;
}
const FIXED_PAYLOAD_BYTES = 3 + 16 + 4 + 8 + 8;
export const RECORD_KIND_TRACE = 1;
const FLAG_TRUNCATED = 1;

export interface WalTraceRecord {
  tenantId: string;
  traceId: Uint8Array;
  spanCount: number;
  startMs: number;
  endMs: number;
  truncated: boolean;
  data: Uint8Array;
}

/** Where a record's data lives: the segment, and the byte range of `data` inside it. */
export interface WalLocation {
  segment: number;
  offset: number;
  length: number;
}

/** Encodes one record as a frame; also returns where `data` starts within the frame. */
export function encodeWalFrame(record: WalTraceRecord): { frame: Buffer; dataOffset: number } {
  const tenant = Buffer.from(record.tenantId, 'utf8');
  const payloadLength = FIXED_PAYLOAD_BYTES + tenant.length + record.data.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadLength);
  frame.writeUInt32LE(payloadLength, 0);
  let pos = FRAME_HEADER_BYTES;
  frame[pos++] = RECORD_KIND_TRACE;
  frame[pos++] = record.truncated ? FLAG_TRUNCATED : 0;
  frame[pos++] = tenant.length;
  tenant.copy(frame, pos);
  pos += tenant.length;
  frame.set(record.traceId, pos);
  pos += 16;
  frame.writeUInt32LE(record.spanCount, pos);
  frame.writeDoubleLE(record.startMs, pos + 4);
  frame.writeDoubleLE(record.endMs, pos + 12);
  pos += 20;
  frame.set(record.data, pos);
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return { frame, dataOffset: pos };
}

export interface DecodedFrame<R = WalTraceRecord> {
  record: R;
  /** Offset of `data` relative to the frame start. */
  dataOffset: number;
  frameLength: number;
}

/** Decodes the frame at `offset`, or returns undefined for a torn or corrupt tail. */
export function decodeWalFrame(buf: Buffer, offset: number): DecodedFrame | undefined {
  if (offset + FRAME_HEADER_BYTES > buf.length) return undefined;
  const payloadLength = buf.readUInt32LE(offset);
  const end = offset + FRAME_HEADER_BYTES + payloadLength;
  if (payloadLength < FIXED_PAYLOAD_BYTES || end > buf.length) return undefined;
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return undefined;
  if (payload[0] !== RECORD_KIND_TRACE) return undefined;
  const tenantLength = payload[2];
  let pos = 3;
  const tenantId = payload.toString('utf8', pos, pos + tenantLength);
  pos += tenantLength;
  const traceId = payload.subarray(pos, pos + 16);
  pos += 16;
  const spanCount = payload.readUInt32LE(pos);
  const startMs = payload.readDoubleLE(pos + 4);
  const endMs = payload.readDoubleLE(pos + 12);
  pos += 20;
  return {
    record: {
      tenantId,
      traceId,
      spanCount,
      startMs,
      endMs,
      truncated: (payload[1] & FLAG_TRUNCATED) !== 0,
      data: payload.subarray(pos),
    },
    dataOffset: FRAME_HEADER_BYTES + pos,
    frameLength: FRAME_HEADER_BYTES + payloadLength,
  };
}

/** Turns one kind of record into WAL frames and back; `decode` returns undefined for a torn tail. */
export interface WalCodec<R> {
  encode(record: R): { frame: Buffer; dataOffset: number };
  decode(buf: Buffer, offset: number): DecodedFrame<R> | undefined;
}

export const traceWalCodec: WalCodec<WalTraceRecord> = { encode: encodeWalFrame, decode: decodeWalFrame };

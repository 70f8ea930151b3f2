import { crc32 } from 'node:zlib';
import { type DecodedFrame, FRAME_HEADER_BYTES, type WalCodec } from './wal-record';

/**
 * A tenant's opaque batch (a log push, a set of samples) in the WAL. The owner serialises
 * `data` itself; the WAL only frames, checksums and replays it. Layout of the payload:
 *   u8 kind | u8 tenantLength | tenant | data
 */
export interface WalBlobRecord {
  kind: number;
  tenantId: string;
  data: Uint8Array;
}

/** Record kinds (the trace WAL uses 1). One WAL directory holds one kind. */
export const RECORD_KIND_LOGS = 2;
export const RECORD_KIND_SAMPLES = 3;

function encodeBlobFrame(record: WalBlobRecord): { frame: Buffer; dataOffset: number } {
  const tenant = Buffer.from(record.tenantId, 'utf8');
  const payloadLength = 2 + tenant.length + record.data.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadLength);
  frame.writeUInt32LE(payloadLength, 0);
  let pos = FRAME_HEADER_BYTES;
  frame[pos++] = record.kind;
  frame[pos++] = tenant.length;
  tenant.copy(frame, pos);
  pos += tenant.length;
  frame.set(record.data, pos);
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return { frame, dataOffset: pos };
}

function decodeBlobFrame(buf: Buffer, offset: number): DecodedFrame<WalBlobRecord> | undefined {
  if (offset + FRAME_HEADER_BYTES > buf.length) return undefined;
  const payloadLength = buf.readUInt32LE(offset);
  const end = offset + FRAME_HEADER_BYTES + payloadLength;
  if (payloadLength < 2 || end > buf.length) return undefined;
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return undefined;
  const tenantLength = payload[1];
  if (2 + tenantLength > payload.length) return undefined;
  const tenantId = payload.toString('utf8', 2, 2 + tenantLength);
  const dataStart = 2 + tenantLength;
  return {
    record: { kind: payload[0], tenantId, data: payload.subarray(dataStart) },
    dataOffset: FRAME_HEADER_BYTES + dataStart,
    frameLength: FRAME_HEADER_BYTES + payloadLength,
  };
}

export const blobWalCodec: WalCodec<WalBlobRecord> = { encode: encodeBlobFrame, decode: decodeBlobFrame };

import type { WalCodec } from './codec';

/**
 * A tenant's opaque batch (a log push, a set of samples) in the WAL. The owner serialises `data`
 * itself; the WAL only frames, checksums and replays it. Header layout: u8 kind | u8 tenantLength | tenant
 */
export interface WalBlobRecord {
  kind: number;
  tenantId: string;
  data: Uint8Array;
}

/** Record kinds (the trace WAL uses 1). One WAL directory holds one kind. */
export const RECORD_KIND_LOGS = 2;
export const RECORD_KIND_SAMPLES = 3;

const FIXED_HEADER_BYTES = 2;

export const blobWalCodec: WalCodec<WalBlobRecord> = {
  encodeHeader(record) {
    const tenantLength = Buffer.byteLength(record.tenantId, 'utf8');
    const header = Buffer.allocUnsafe(FIXED_HEADER_BYTES + tenantLength);
    header[0] = record.kind;
    header[1] = tenantLength;
    header.write(record.tenantId, FIXED_HEADER_BYTES, 'utf8');
    return header;
  },
  decode(payload) {
    if (payload.length < FIXED_HEADER_BYTES) return undefined;
    const dataStart = FIXED_HEADER_BYTES + payload[1];
    if (dataStart > payload.length) return undefined;
    return {
      kind: payload[0],
      tenantId: payload.toString('utf8', FIXED_HEADER_BYTES, dataStart),
      data: payload.subarray(dataStart),
    };
  },
};

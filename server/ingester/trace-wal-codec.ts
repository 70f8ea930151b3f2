import type { SamplingReason } from '../sampling/policies';
import type { WalCodec } from '../wal/codec';

/**
 * One trace fragment (one trace's spans from one push) as a WAL record. Header layout (little
 * endian; the WAL frames header and data, see `server/wal/frame.ts`):
 *   u8 kind | u8 flags | u8 tenantLength | tenant | 16B traceId | u32 spanCount | f64 startMs | f64 endMs
 * then `data`, the fragment's OTLP TracesData bytes.
 *
 * A tail-sampling decision is a record of its own (flag KEPT or DROPPED, no spans, empty data),
 * with `u8 reason | u8 policyLength | policy` after `endMs`: replay applies it, so a restart neither loses a
 * kept trace nor brings back a dropped one (docs/sampling.md).
 */
export interface WalTraceRecord {
  tenantId: string;
  traceId: Uint8Array;
  spanCount: number;
  startMs: number;
  endMs: number;
  truncated: boolean;
  data: Uint8Array;
  /** Set on a decision record: the trace's sampling decision and the policy that made it ('' if none). */
  decision?: { keep: boolean; policy: string; reason: SamplingReason };
}

export const RECORD_KIND_TRACE = 1;
const FLAG_TRUNCATED = 1;
const FLAG_DECISION_KEPT = 2;
const FLAG_DECISION_DROPPED = 4;
const FIXED_HEADER_BYTES = 3 + 16 + 4 + 8 + 8;
/** A decision's reason as its byte in the record (index in this list). */
const REASONS: readonly SamplingReason[] = [
  'sampled',
  'inverted-sampled',
  'dropped',
  'inverted-not-sampled',
  'not-sampled',
];
/** Policy names longer than this are cut in decision records (they only label metrics and pages). */
const MAX_POLICY_BYTES = 255;

export const traceWalCodec: WalCodec<WalTraceRecord> = {
  encodeHeader(record) {
    const tenantLength = Buffer.byteLength(record.tenantId, 'utf8');
    const policy = record.decision ? policyBytes(record.decision.policy) : undefined;
    const header = Buffer.allocUnsafe(FIXED_HEADER_BYTES + tenantLength + (policy ? 2 + policy.length : 0));
    header[0] = RECORD_KIND_TRACE;
    header[1] =
      (record.truncated ? FLAG_TRUNCATED : 0) |
      (record.decision ? (record.decision.keep ? FLAG_DECISION_KEPT : FLAG_DECISION_DROPPED) : 0);
    header[2] = tenantLength;
    let pos = 3 + header.write(record.tenantId, 3, 'utf8');
    header.set(record.traceId, pos);
    pos += 16;
    header.writeUInt32LE(record.spanCount, pos);
    header.writeDoubleLE(record.startMs, pos + 4);
    header.writeDoubleLE(record.endMs, pos + 12);
    if (policy && record.decision) {
      header[pos + 20] = Math.max(0, REASONS.indexOf(record.decision.reason));
      header[pos + 21] = policy.length;
      header.set(policy, pos + 22);
    }
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
    const flags = payload[1];
    const record: WalTraceRecord = {
      tenantId,
      traceId,
      spanCount: payload.readUInt32LE(pos),
      startMs: payload.readDoubleLE(pos + 4),
      endMs: payload.readDoubleLE(pos + 12),
      truncated: (flags & FLAG_TRUNCATED) !== 0,
      data: payload.subarray(pos + 20),
    };
    if ((flags & (FLAG_DECISION_KEPT | FLAG_DECISION_DROPPED)) === 0) return record;
    const reason = REASONS[payload[pos + 20]];
    const policyLength = payload[pos + 21];
    if (!reason || policyLength === undefined || pos + 22 + policyLength > payload.length) return undefined;
    record.decision = {
      keep: (flags & FLAG_DECISION_KEPT) !== 0,
      policy: payload.toString('utf8', pos + 22, pos + 22 + policyLength),
      reason,
    };
    record.data = payload.subarray(pos + 22 + policyLength);
    return record;
  },
};

function policyBytes(policy: string): Buffer {
  const bytes = Buffer.from(policy, 'utf8');
  return bytes.length <= MAX_POLICY_BYTES ? bytes : bytes.subarray(0, MAX_POLICY_BYTES);
}

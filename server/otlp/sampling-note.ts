import { asBuffer, ProtoReader, WIRE_LEN, writeVarint } from './wire';

/**
 * Which tail-sampling policy kept a trace, stored with the trace itself: a field of the trace's
 * TracesData bytes that OTLP does not define, so it travels wherever the trace's parts go (WAL,
 * head block, blocks, compaction, the ingesters' answers to queriers) without a format change.
 * Protobuf readers skip fields they do not know, so Grafana and Tempo's clients ignore it;
 * `combineTraceParts` keeps the first one it meets, and search and the trace page read it.
 *
 *   TracesData field 1001 (LEN) = SamplingNote { string policy = 1; string reason = 2; }
 *
 * `reason` is the collector's: `sampled`, `inverted-sampled`, or, for a trace a dry run kept
 * though its policies would not have, `dropped`, `inverted-not-sampled`, `not-sampled`.
 */
export interface SamplingNote {
  policy: string;
  reason: string;
}
export const SAMPLING_NOTE_FIELD = 1001;
const NOTE_TAG = SAMPLING_NOTE_FIELD * 8 + WIRE_LEN; // 8010: a two-byte varint
const POLICY_TAG = 0x0a; // field 1, LEN
const REASON_TAG = 0x12; // field 2, LEN

/** A TracesData holding only the note: appended to a kept trace's parts. */
export function encodeSamplingNote(note: SamplingNote): Buffer {
  const policy = Buffer.from(note.policy, 'utf8');
  const reason = Buffer.from(note.reason, 'utf8');
  const inner = Buffer.allocUnsafe(2 * 6 + policy.length + reason.length);
  let pos = 0;
  inner[pos++] = POLICY_TAG;
  pos = writeVarint(inner, pos, policy.length);
  pos += policy.copy(inner, pos);
  inner[pos++] = REASON_TAG;
  pos = writeVarint(inner, pos, reason.length);
  pos += reason.copy(inner, pos);
  const out = Buffer.allocUnsafe(2 + 5 + pos);
  let at = writeVarint(out, 0, NOTE_TAG);
  at = writeVarint(out, at, pos);
  at += inner.copy(out, at, 0, pos);
  return out.subarray(0, at);
}

/** The note field (tag, length and body) at the top level of `data`, as [start, end), or undefined. */
export function findSamplingNote(data: Uint8Array): [number, number] | undefined {
  const r = new ProtoReader(data);
  const end = data.length;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag(end);
    if (tag === NOTE_TAG) {
      const length = r.len(end);
      return [start, r.pos + length];
    }
    r.skip(tag & 7, end);
  }
  return undefined;
}

/** The note in `data`, or undefined without one. */
export function readSamplingNote(data: Uint8Array): SamplingNote | undefined {
  const found = findSamplingNote(data);
  if (!found) return undefined;
  const r = new ProtoReader(data, found[0]);
  r.tag(found[1]);
  const length = r.len(found[1]);
  const end = r.pos + length;
  const note: SamplingNote = { policy: '', reason: '' };
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === POLICY_TAG || tag === REASON_TAG) {
      const textLength = r.len(end);
      const text = asBuffer(data).toString('utf8', r.pos, r.pos + textLength);
      r.pos += textLength;
      if (tag === POLICY_TAG) note.policy = text;
      else note.reason = text;
    } else r.skip(tag & 7, end);
  }
  return note;
}

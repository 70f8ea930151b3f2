import type { SpanView } from '../otlp/span-visitor';
import { SPAN } from '../otlp/trace-fields';
import { ProtoReader } from '../otlp/wire';

const TAG_TRACE_STATE = SPAN.tag.trace_state;

/**
 * The span's W3C `trace_state` text ('' when absent). `SpanView` does not decode it, so this
 * finds it in the span's bytes; only a `trace_state` policy pays for it. A repeated field
 * counts by its last occurrence, as a protobuf decoder would have it. (A reader per call: one
 * kept would hold on to the last request's bytes.)
 */
export function readTraceState(span: SpanView): string {
  const r = new ProtoReader(span.buf, span.spanAt);
  const end = span.spanEnd;
  let at = -1;
  let length = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === TAG_TRACE_STATE) {
      length = r.len(end);
      at = r.pos;
      r.pos += length;
    } else r.skip(tag & 7, end);
  }
  return at < 0 ? '' : span.buf.toString('utf8', at, at + length);
}

const MAX_LIST_MEMBERS = 32;

/**
 * The value under `key` in a tracestate, as the collector reads it: Go OpenTelemetry's
 * `trace.ParseTraceState(ts).Get(key)`. Any invalid member, a duplicate key or more than 32
 * members make the whole tracestate unreadable: undefined then (the policy does not match).
 * '' when the key is absent from a valid tracestate.
 */
export function traceStateValue(traceState: string, key: string): string | undefined {
  const seen = new Set<string>();
  let value = '';
  for (const memberText of traceState.split(',')) {
    if (memberText === '') continue;
    const eq = memberText.indexOf('=');
    if (eq < 0) return undefined;
    const memberKey = memberText.slice(0, eq).replace(/^[ \t]+/, '');
    const memberValue = memberText.slice(eq + 1).replace(/[ \t]+$/, '');
    if (!checkKey(memberKey) || !checkValue(memberValue)) return undefined;
    if (seen.has(memberKey)) return undefined;
    seen.add(memberKey);
    if (seen.size > MAX_LIST_MEMBERS) return undefined;
    if (memberKey === key && value === '') value = memberValue;
  }
  return value;
}

/** `checkValue`: 1-256 bytes of 0x20-0x7e except ',' and '=', not ending in a space. */
function checkValue(value: string): boolean {
  const n = value.length;
  if (n === 0 || n > 256) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < (i === n - 1 ? 0x21 : 0x20) || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return true;
}

/** `checkKey`: a simple key, or tenant@system. Lengths count UTF-8 bytes, as Go's `len` does. */
function checkKey(key: string): boolean {
  const at = key.indexOf('@');
  if (at < 0) return checkKeyPart(key, 255);
  return checkKeyTenant(key.slice(0, at), 240) && checkKeyPart(key.slice(at + 1), 13);
}

function checkKeyPart(key: string, remain: number): boolean {
  if (key === '') return false;
  const first = key.charCodeAt(0);
  return (
    Buffer.byteLength(key) - 1 <= remain && first >= 0x61 && first <= 0x7a && checkKeyRemain(key.slice(1))
  );
}

function checkKeyTenant(key: string, remain: number): boolean {
  if (key === '') return false;
  return (
    isAlphaNum(key.charCodeAt(0)) && Buffer.byteLength(key) - 1 <= remain && checkKeyRemain(key.slice(1))
  );
}

/**
 * Go ranges over runes and tests `isAlphaNum(byte(rune))`, so a non-ASCII rune passes when its
 * low byte is a lowercase letter or digit; kept as is, to agree with the collector.
 */
function checkKeyRemain(key: string): boolean {
  for (const ch of key) {
    const rune = ch.codePointAt(0) ?? 0;
    if (isAlphaNum(rune & 0xff)) continue;
    if (rune === 0x5f || rune === 0x2d || rune === 0x2a || rune === 0x2f) continue; // _ - * /
    return false;
  }
  return true;
}

function isAlphaNum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

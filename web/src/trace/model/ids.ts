const HEX = '0123456789abcdef';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_LOOKUP[BASE64.charCodeAt(i)] = i;
// URL-safe alphabet too, as some tools write it.
BASE64_LOOKUP['-'.charCodeAt(0)] = 62;
BASE64_LOOKUP['_'.charCodeAt(0)] = 63;

const HEX_RE = /^[0-9a-fA-F]*$/;
export const MAX_TRACE_ID_HEX = 32;

/** Two base64 characters (12 bits) → three hex digits, for decoding without per-bit work. */
const HEX_OF_12_BITS: string[] = new Array(4096);
for (let v = 0; v < 4096; v++) HEX_OF_12_BITS[v] = HEX[v >> 8] + HEX[(v >> 4) & 15] + HEX[v & 15];

/** Decodes base64 to lowercase hex; returns '' for anything that is not base64. */
export function base64ToHex(b64: string): string {
  let end = b64.length;
  while (end > 0 && b64.charCodeAt(end - 1) === 61) end--; // '=' padding
  let out = '';
  for (let i = 0; i < end; i += 2) {
    const a = b64.charCodeAt(i);
    const b = i + 1 < end ? b64.charCodeAt(i + 1) : 65; // 'A' = 0
    const hi = a < 128 ? BASE64_LOOKUP[a] : -1;
    const lo = b < 128 ? BASE64_LOOKUP[b] : -1;
    if (hi < 0 || lo < 0) return '';
    out += HEX_OF_12_BITS[(hi << 6) | lo];
  }
  return out.slice(0, Math.floor((end * 6) / 8) * 2);
}

/** Encodes hex (even length) as standard padded base64, the proto JSON mapping of `bytes`. */
export function hexToBase64(hex: string): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i + 1 < hex.length; i += 2) {
    buffer = ((buffer << 8) | Number.parseInt(hex.slice(i, i + 2), 16)) & 0xffffff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += BASE64[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += BASE64[(buffer << (6 - bits)) & 63];
  while (out.length % 4 !== 0) out += '=';
  return out;
}

/**
 * Any trace or span ID as found in JSON → lowercase hex. Hex IDs are 16 or 32 characters; base64
 * ones (the proto JSON mapping Tempo uses) are 12 or 24, so the length tells them apart.
 * @example idToHex('AAAAAAAAAAE=') === '0000000000000001'
 */
export function idToHex(id: string | undefined | null): string {
  if (!id) return '';
  if ((id.length === 16 || id.length === 32) && HEX_RE.test(id)) return id.toLowerCase();
  const hex = base64ToHex(id);
  return hex !== '' ? hex : id.toLowerCase();
}

export type TraceIdInput = { ok: true; id: string } | { ok: false; error: string };

/**
 * Validates what a user pasted as a trace ID: surrounding spaces and quotes are dropped, then it
 * must be 1–32 hex characters, as the API accepts.
 * @example parseTraceIdInput(' "4BF92F35" ') → { ok: true, id: '4bf92f35' }
 */
export function parseTraceIdInput(text: string): TraceIdInput {
  const id = text
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')
    .trim();
  if (id === '') return { ok: false, error: 'Enter a trace ID.' };
  if (!HEX_RE.test(id)) {
    return { ok: false, error: 'A trace ID is hexadecimal: only 0–9 and a–f are allowed.' };
  }
  if (id.length > MAX_TRACE_ID_HEX) {
    return { ok: false, error: `A trace ID has at most 32 hex characters; this one has ${id.length}.` };
  }
  return { ok: true, id: id.toLowerCase() };
}

/** Left-pads a hex trace ID to 32 characters, as Tempo does, so equal IDs compare equal. */
export function canonicalTraceId(hex: string): string {
  return hex.toLowerCase().padStart(MAX_TRACE_ID_HEX, '0');
}

/**
 * UTF-8 decoding of short strings through a small cache. OTLP repeats the same keys and many of
 * the same values in every span (`http.method`, `GET`, service and span names): decoding them
 * anew allocates a string per span that the collector then sweeps, and every Map or Set the
 * string meets hashes it again. A cached string is returned for bytes seen before, so repeats
 * cost a hash and a compare over their bytes, and share one string (whose hash V8 keeps).
 */
const SLOTS = 4096;
/** Longer strings (URLs, statements) rarely repeat: decoded as they are. */
const MAX_BYTES = 48;

const slotBytes: (Uint8Array | undefined)[] = new Array(SLOTS);
/** The hash last seen in each slot: bytes are cached when seen twice, so one-off values (IDs, tokens) are not copied. */
const slotHash = new Int32Array(SLOTS);
const slotText: string[] = new Array(SLOTS).fill('');

export function decodeUtf8Interned(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length > MAX_BYTES) return buf.toString('utf8', start, end);
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i], 0x01000193);
  hash |= 0;
  const slot = hash & (SLOTS - 1);
  const cached = slotBytes[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached[i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return slotText[slot];
  }
  const text = buf.toString('utf8', start, end);
  if (slotHash[slot] !== hash) {
    slotHash[slot] = hash;
    return text;
  }
  // A copy: the request buffer is not kept alive by the cache.
  slotBytes[slot] = Uint8Array.prototype.slice.call(buf, start, end);
  slotText[slot] = text;
  return text;
}

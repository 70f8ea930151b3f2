/**
 * A bloom filter over tokens (a span name, a service, an attribute's scope, key and typed value:
 * `token` in search-summary.ts), one per row group of a search sidecar: it answers "can this row group hold a span with this value?" from memory,
 * so a search for a rare value reads only the row groups that may hold it.
 *
 * Double hashing over two FNV-style hashes of the UTF-16 code units: tokens are short and hashed
 * once per span attribute at build time and once per query condition at search time, so a simple
 * hash is worth more than a strong one (a murmur finalizer mixes its bits).
 */
export class TokenBloom {
  private constructor(
    readonly bits: Uint32Array,
    readonly hashes: number,
  ) {}

  /** A filter sized for `items` tokens at `falsePositive`, never more than `maxBytes`. */
  static forItems(items: number, falsePositive: number, maxBytes: number): TokenBloom {
    const n = Math.max(1, items);
    const idealBits = Math.ceil((-n * Math.log(falsePositive)) / (Math.LN2 * Math.LN2));
    const words = Math.max(2, Math.min(Math.ceil(idealBits / 32), Math.floor(maxBytes / 4)));
    const hashes = Math.max(1, Math.min(12, Math.round(((words * 32) / n) * Math.LN2)));
    return new TokenBloom(new Uint32Array(words), hashes);
  }

  static fromBase64(text: string, hashes: number): TokenBloom {
    const bytes = Buffer.from(text, 'base64');
    const words = new Uint32Array(bytes.length >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = bytes.readUInt32LE(4 * i);
    return new TokenBloom(words, hashes);
  }

  toBase64(): string {
    const bytes = Buffer.alloc(this.bits.length * 4);
    for (let i = 0; i < this.bits.length; i++) bytes.writeUInt32LE(this.bits[i], 4 * i);
    return bytes.toString('base64');
  }

  get byteLength(): number {
    return this.bits.length * 4;
  }

  /** Adds a token by its hash (`tokenHash`): builders hash each token once and dedupe the numbers. */
  addHash(hash: number): void {
    const size = this.bits.length * 32;
    let h1 = hash % TWO_POW_32;
    const h2 = Math.floor(hash / TWO_POW_32) | 1;
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 >>> 0) % size;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
      h1 = (h1 + h2) | 0;
    }
  }

  mayContainHash(hash: number): boolean {
    const size = this.bits.length * 32;
    let h1 = hash % TWO_POW_32;
    const h2 = Math.floor(hash / TWO_POW_32) | 1;
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 >>> 0) % size;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
      h1 = (h1 + h2) | 0;
    }
    return true;
  }
}

const TWO_POW_32 = 4294967296;

/**
 * A token's two hashes packed in one exact number (32 bits of the first, 21 of the second), so
 * builders dedupe tokens in a Set of numbers instead of concatenating strings per attribute.
 * Each part ends with a separator step, so (`ab`, `c`) and (`a`, `bc`) hash apart.
 */
export function tokenHash(a: string, b = '', c = ''): number {
  return finishHash(continueHash(continueHash(continueHash(startHash(), a), b), c));
}

/**
 * The hash state after some parts, so a builder hashing `key, value` for every span hashes
 * the key once (`continueHash(state, value)` per value). Two 32-bit states in one array.
 */
export type HashState = [number, number];

export function startHash(): HashState {
  return [0x811c9dc5, 0x9747b28c];
}

/** The state after one more part (a new array; `state` is left as it was). */
export function continueHash(state: HashState, part: string): HashState {
  let f = state[0];
  let g = state[1];
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    f = Math.imul(f ^ code, 0x01000193);
    g = Math.imul(g ^ code, 0x5bd1e995);
  }
  return [Math.imul(f, 0x01000193), Math.imul(g ^ 0xff, 0x5bd1e995)];
}

/** `continueHash(state, prefix + part)` without building the joined string (`prefix`: one UTF-16 unit). */
export function continueHashPrefixed(state: HashState, prefix: number, part: string): HashState {
  let f = Math.imul(state[0] ^ prefix, 0x01000193);
  let g = Math.imul(state[1] ^ prefix, 0x5bd1e995);
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    f = Math.imul(f ^ code, 0x01000193);
    g = Math.imul(g ^ code, 0x5bd1e995);
  }
  return [Math.imul(f, 0x01000193), Math.imul(g ^ 0xff, 0x5bd1e995)];
}

export function finishHash(state: HashState): number {
  return (finalize(state[0]) >>> 0) + (finalize(state[1]) & 0x1fffff) * TWO_POW_32;
}

/** Murmur3's finalizer: FNV alone leaves the low bits of short tokens poorly mixed. */
function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

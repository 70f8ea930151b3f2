/**
 * What Loupe keeps of a trace while it waits for its sampling decision: a few numbers, never the
 * spans. `SamplingPolicies.observe` updates it span by span as they arrive; `decide` reads it.
 *
 * Times are kept exact, as two uint32 halves of the unix-nanosecond value (a double loses the
 * nanoseconds past 2^53, and the latency policy truncates to whole milliseconds as the
 * collector's `Duration.Milliseconds()` does, so a lost nanosecond can flip a boundary).
 */
export class TraceSummary {
  /** Spans observed (the collector's `TraceData.SpanCount`). */
  spanCount = 0;
  /** Earliest start, latest end, as the collector tracks them (0 stands for "none yet"). */
  startHi = 0;
  startLo = 0;
  endHi = 0;
  endLo = 0;
  /** A bit per span status code seen: 1 << 0 UNSET, 1 << 1 OK, 1 << 2 ERROR. */
  statusSeen = 0;
  /** When (the caller's clock, ms) the first span and a root span were observed; -1: not yet. */
  firstSeenMs = -1;
  rootSeenMs = -1;
  /**
   * "Has this trace matched condition i yet" for the policies that need a look at every span
   * (attribute, latency and trace_state leaves): bits 0-29 here, the rest in `moreMatched`, 30
   * a word, so every word stays a small integer V8 stores inline.
   */
  matched = 0;
  moreMatched: number[] | undefined = undefined;

  /** Earliest span start in unix milliseconds; 0 when no span had one. */
  startUnixMs(): number {
    return (this.startHi * TWO_POW_32 + this.startLo) / 1e6;
  }

  /** Latest span end in unix milliseconds; 0 when no span had one. */
  endUnixMs(): number {
    return (this.endHi * TWO_POW_32 + this.endLo) / 1e6;
  }

  /** Latest end minus earliest start, in whole milliseconds truncated toward zero (Go's `Milliseconds()`). */
  durationMs(): number {
    return truncatedMs((this.endHi - this.startHi) * TWO_POW_32 + (this.endLo - this.startLo));
  }
}

const TWO_POW_32 = 4294967296;
const BITS_PER_WORD = 30;

/** Nanoseconds (an integer-valued double) to whole milliseconds, truncated toward zero, exactly. */
export function truncatedMs(nanos: number): number {
  return (nanos - (nanos % 1e6)) / 1e6;
}

export function hasMatched(summary: TraceSummary, bit: number): boolean {
  if (bit < BITS_PER_WORD) return (summary.matched & (1 << bit)) !== 0;
  const word = summary.moreMatched?.[Math.floor(bit / BITS_PER_WORD) - 1] ?? 0;
  return (word & (1 << (bit % BITS_PER_WORD))) !== 0;
}

export function setMatched(summary: TraceSummary, bit: number): void {
  if (bit < BITS_PER_WORD) {
    summary.matched |= 1 << bit;
    return;
  }
  const index = Math.floor(bit / BITS_PER_WORD) - 1;
  if (summary.moreMatched === undefined) summary.moreMatched = [];
  const more = summary.moreMatched;
  while (more.length <= index) more.push(0);
  more[index] |= 1 << (bit % BITS_PER_WORD);
}

/** Whether every one of the first `count` bits is set: nothing left to learn from attributes. */
export function allMatched(summary: TraceSummary, count: number): boolean {
  if (!wordHas(summary.matched, Math.min(count, BITS_PER_WORD))) return false;
  for (let bit = BITS_PER_WORD; bit < count; bit += BITS_PER_WORD) {
    const word = summary.moreMatched?.[bit / BITS_PER_WORD - 1] ?? 0;
    if (!wordHas(word, Math.min(BITS_PER_WORD, count - bit))) return false;
  }
  return true;
}

/** Whether the word's lowest `bits` bits are all set (the bits above belong to other conditions). */
function wordHas(word: number, bits: number): boolean {
  const full = fullWord(bits);
  return (word & full) === full;
}

function fullWord(bits: number): number {
  return bits >= BITS_PER_WORD ? 2 ** BITS_PER_WORD - 1 : 2 ** bits - 1;
}

/**
 * Bytes one summary holds on a 64-bit V8 without pointer compression (Node's default): the
 * object (3 header words and 10 fields of 8 bytes), the 2 low time halves and 2 clock
 * readings as boxed doubles (16 bytes each: they outgrow a small integer), and the overflow
 * bit words with their array. Rounded up, never down: the memory limit it feeds must not be
 * beaten by the real figure.
 */
export function estimateSummaryBytes(summary: TraceSummary): number {
  const base = 3 * 8 + 10 * 8 + 4 * 16;
  const more = summary.moreMatched;
  return more === undefined ? base : base + 32 + 16 + 8 * more.length;
}

/**
 * Keeps the earliest start and latest end as the collector's latency policy does: a zero
 * (absent) time replaces the running value, and a zero running value is replaced by any.
 */
export function observeTimes(
  summary: TraceSummary,
  startHi: number,
  startLo: number,
  endHi: number,
  endLo: number,
): void {
  const noStart = summary.startHi === 0 && summary.startLo === 0;
  if (noStart || startHi < summary.startHi || (startHi === summary.startHi && startLo < summary.startLo)) {
    summary.startHi = startHi;
    summary.startLo = startLo;
  }
  const noEnd = summary.endHi === 0 && summary.endLo === 0;
  if (noEnd || endHi > summary.endHi || (endHi === summary.endHi && endLo > summary.endLo)) {
    summary.endHi = endHi;
    summary.endLo = endLo;
  }
}

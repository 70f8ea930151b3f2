/**
 * A set of token hashes (exact non-negative numbers below 2^53) in one Float64Array with open
 * addressing: a row group adds a token per span attribute, and a `Set<number>` boxes every hash
 * past 2^31 into a heap object the collector then has to sweep.
 */
export class NumberSet {
  private slots = new Float64Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(value: number): void {
    // 0 marks an empty slot; a hash of 0 is stored as 2^53 - 1 (one more bloom collision at worst).
    const v = value === 0 ? 9007199254740991 : value;
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = ((v % 4294967296) >>> 0) & mask;
    for (;;) {
      const at = slots[i];
      if (at === v) return;
      if (at === 0) break;
      i = (i + 1) & mask;
    }
    slots[i] = v;
    if (++this.count * 2 > slots.length) this.grow();
  }

  forEach(visit: (value: number) => void): void {
    for (const value of this.slots) if (value !== 0) visit(value);
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.count = 0;
    for (const value of old) if (value !== 0) this.add(value);
  }
}

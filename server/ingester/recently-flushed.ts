import { TokenBloom, tokenHash } from '../store/search/token-bloom';

/** Keys per generation: two generations of ~1.2 MB each at 1% false positives. */
const GENERATION_KEYS = 1_000_000;

/**
 * Which traces of a tenant have had spans flushed into a block lately, as two rotating bloom
 * filters: a trace that goes on receiving spans after a flush is split between a block and
 * live data, and search judges such a trace as a whole. A false positive only costs that one
 * trace a lookup by ID; memory stays fixed however many traces pass.
 */
export class RecentlyFlushed {
  private current = TokenBloom.forItems(GENERATION_KEYS, 0.01, 4 * 1024 * 1024);
  private previous: TokenBloom | undefined;
  private added = 0;

  add(key: string): void {
    if (this.added >= GENERATION_KEYS) {
      this.previous = this.current;
      this.current = TokenBloom.forItems(GENERATION_KEYS, 0.01, 4 * 1024 * 1024);
      this.added = 0;
    }
    this.current.addHash(tokenHash(key));
    this.added++;
  }

  mayHave(key: string): boolean {
    const hash = tokenHash(key);
    return this.current.mayContainHash(hash) || this.previous?.mayContainHash(hash) === true;
  }
}

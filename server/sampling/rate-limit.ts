/**
 * The token bucket of the collector's `rate_limiting` policy (golang.org/x/time/rate's
 * `Limiter.AllowN`, which the policy uses since collector-contrib PR #48226): tokens (spans)
 * refill continuously at `rate` per second up to `burst`; the bucket starts full; a trace of n
 * spans passes when n <= burst and n tokens are there, and only a passing trace takes tokens.
 * The clock is the caller's (`nowMs`), so tests and the ingester drive it.
 */
export class TokenBucket {
  private tokens = 0;
  /** When tokens were last counted; -Infinity: never (x/time/rate's zero time), so the bucket starts full. */
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly rate: number,
    private burst: number,
  ) {}

  allowN(nowMs: number, n: number): boolean {
    if (this.rate <= 0) {
      // x/time/rate with a zero limit: the burst is a one-off allowance, spent for good.
      if (this.burst < n) return false;
      this.burst -= n;
      return true;
    }
    // A clock that went back counts as no time passed, as in `advance`.
    const elapsedMs = nowMs < this.lastMs ? 0 : nowMs - this.lastMs;
    const available = Math.min(this.burst, this.tokens + (elapsedMs / 1000) * this.rate);
    const left = available - n;
    // AllowN accepts a wait that rounds down to 0 ns: a deficit worth less than a nanosecond.
    const wait = left < 0 ? (-left / this.rate) * 1e9 : 0;
    if (n > this.burst || wait >= 1) return false;
    this.tokens = left;
    this.lastMs = nowMs;
    return true;
  }
}

/**
 * A budget of spans per wall-clock second, as the collector's `composite` policy keeps one per
 * sub-policy: the counts restart whenever the unix second changes.
 */
export class SecondWindow {
  private second = 0;

  /** Call before using the counters: true when a new second began (the caller resets them). */
  rolled(nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second === this.second) return false;
    this.second = second;
    return true;
  }
}

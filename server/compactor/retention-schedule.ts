/** Something whose old data expires: trace blocks, log chunks, series chunks. */
export interface RetentionTarget {
  /** For logs: `blocks`, `logs`, `metrics`. */
  readonly name: string;
  /** Deletes what is older than the target's retention at `nowMs`; resolves when done. */
  applyRetention(nowMs: number): Promise<unknown>;
}

export interface RetentionScheduleOptions {
  everyMs: number;
  /** The one clock every target is judged by (tests pass their own). */
  now?: () => number;
  log: { error(details: object, message: string): void };
}

/**
 * Retention of every store, in one place and on one clock: each run reads the time once and asks
 * every target to expire what is older than its own retention at that instant, so blocks, log
 * chunks and series chunks age out together. A run that is still going when the next is due is
 * not doubled; one target failing does not stop the others. The compactor's lease will gate this
 * when several instances share a bucket.
 */
export class RetentionSchedule {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly targets: readonly RetentionTarget[],
    private readonly opts: RetentionScheduleOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.opts.everyMs);
    this.timer.unref();
  }

  /** One run over every target at one instant; a run already under way is joined, not repeated. */
  runOnce(): Promise<void> {
    this.running ??= this.run(this.now()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the timer and waits for a run under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async run(nowMs: number): Promise<void> {
    await Promise.all(
      this.targets.map((target) =>
        target
          .applyRetention(nowMs)
          .catch((err: unknown) => this.opts.log.error({ err, target: target.name }, 'retention failed')),
      ),
    );
  }
}

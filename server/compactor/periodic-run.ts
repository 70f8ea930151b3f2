/**
 * A background job on a timer that never overlaps itself: a run still going when the next is
 * due is joined, not doubled; a failure is reported and the next tick tries again. The timer does
 * not keep the process alive. (`RetentionSchedule` does the same for every store's retention.)
 */
export class PeriodicRun {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly run: (nowMs: number) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Runs every `everyMs`; `undefined` leaves it to `runOnce` callers. */
  start(everyMs: number | undefined): this {
    if (everyMs === undefined) return this;
    this.timer = setInterval(() => void this.runOnce(Date.now()), everyMs);
    this.timer.unref();
    return this;
  }

  runOnce(nowMs: number): Promise<void> {
    this.running ??= this.run(nowMs)
      .then(() => undefined, this.onError)
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Stops the timer and waits for a run under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

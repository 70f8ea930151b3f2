import { Worker } from 'node:worker_threads';
import type { BlockJob, BlockJobResult, RecordsJob } from './block-job';

const BUILDER_YOUNG_GENERATION_MB = 96;

type WorkerReply = { ok: true; result: BlockJobResult } | { ok: false; blockId: string; error: string };

interface QueuedJob {
  job: BlockJob | RecordsJob;
  /** Buffers handed to the worker with the job (first attempt only: a retry has them no more). */
  transfer: ArrayBuffer[];
  resolve: (result: BlockJobResult) => void;
  reject: (err: Error) => void;
}

/**
 * Runs block builds one at a time on a worker thread, so compression never blocks
 * request handling. A crashed worker is replaced and its job retried once.
 */
export class BlockBuilder {
  private worker: Worker | undefined;
  private readonly queue: QueuedJob[] = [];
  private running: (QueuedJob & { attempts: number }) | undefined;
  private closed = false;

  build(job: BlockJob | RecordsJob, transfer: ArrayBuffer[] = []): Promise<BlockJobResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, transfer, resolve, reject });
      this.next();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./block-builder.worker-entry.mjs', import.meta.url), {
      execArgv: [],
      // Building a block allocates short-lived objects by the million (decoded spans, column
      // values): a young generation of 96 MiB (semi-spaces of 32) scavenges less often than
      // V8's default: the search sidecar built ~7% faster in a worker (docs/adr/004).
      resourceLimits: { maxYoungGenerationSizeMb: BUILDER_YOUNG_GENERATION_MB },
    });
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (err) => this.onCrash(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (code !== 0 && !this.closed) this.onCrash(new Error(`block builder exited with code ${code}`));
    });
    // Idle workers must not keep the process alive; busy ones must (a SIGTERM flush waits on them).
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private next(): void {
    if (this.running || this.closed) return;
    const queued = this.queue.shift();
    if (!queued) return;
    this.running = { ...queued, attempts: 1 };
    const worker = this.ensureWorker();
    worker.ref();
    worker.postMessage(queued.job, queued.transfer);
  }

  private onReply(reply: WorkerReply): void {
    const running = this.running;
    this.running = undefined;
    if (running) {
      if (reply.ok) running.resolve(reply.result);
      else running.reject(new Error(reply.error));
    }
    if (this.queue.length === 0) this.worker?.unref();
    this.next();
  }

  private onCrash(err: Error): void {
    this.worker = undefined;
    const running = this.running;
    if (!running) return;
    if (running.attempts >= 2 || this.closed) {
      this.running = undefined;
      running.reject(err);
      this.next();
      return;
    }
    running.attempts++;
    const worker = this.ensureWorker();
    worker.ref();
    worker.postMessage(running.job);
  }
}

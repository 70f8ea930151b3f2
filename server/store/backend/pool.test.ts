import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from './backend';
import { describeBackendContract } from './backend-contract';
import { LocalBackend } from './local-backend';
import { BackendPool, PoolQueueFullError } from './pool';

// The pool is itself a Backend, so it keeps every promise of the one it wraps.
describeBackendContract('BackendPool over LocalBackend', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-pool-'));
  return {
    backend: new BackendPool(new LocalBackend(dir), { maxWorkers: 4, queueDepth: 100 }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

/** A backend whose reads stay pending until the test releases them, tracking concurrency. */
class GatedBackend implements Backend {
  running = 0;
  maxRunning = 0;
  readonly started: string[] = [];
  private readonly gates: (() => void)[] = [];

  async read(key: string): Promise<Buffer | undefined> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.started.push(key);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    this.running--;
    if (key === 'fail') throw new Error('disk on fire');
    return Buffer.from(key);
  }

  releaseAll(): void {
    for (const release of this.gates.splice(0)) release();
  }

  readRange = async () => Buffer.alloc(0);
  write = async () => {};
  writeIfAbsent = async () => true;
  list = async () => [];
  delete = async () => {};
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BackendPool', () => {
  it('runs at most maxWorkers operations at once and the rest in arrival order', async () => {
    const inner = new GatedBackend();
    const pool = new BackendPool(inner, { maxWorkers: 2, queueDepth: 10 });
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const results = keys.map((key) => pool.read(key));
    await settle();
    expect(inner.running).toBe(2);
    expect(pool.inFlight).toBe(2);
    expect(pool.queued).toBe(3);

    while (inner.started.length < keys.length || inner.running > 0) {
      inner.releaseAll();
      await settle();
    }
    const values = await Promise.all(results);
    expect(values.map((value) => value?.toString())).toEqual(keys);
    expect(inner.maxRunning).toBe(2);
    expect(inner.started).toEqual(keys);
    expect(pool.inFlight).toBe(0);
  });

  it('rejects operations past the queue depth with a recognisable error', async () => {
    const inner = new GatedBackend();
    const pool = new BackendPool(inner, { maxWorkers: 1, queueDepth: 2 });
    const accepted = [pool.read('a'), pool.read('b'), pool.read('c')];
    const refused = pool.read('d');

    await expect(refused).rejects.toBeInstanceOf(PoolQueueFullError);
    await expect(refused).rejects.toMatchObject({ code: 'LOUPE_ERR_POOL_FULL' });

    while (inner.running > 0 || pool.queued > 0) {
      inner.releaseAll();
      await settle();
    }
    expect((await Promise.all(accepted)).map(String)).toEqual(['a', 'b', 'c']);
    // Room again once the queue drained.
    const later = pool.read('e');
    await settle();
    inner.releaseAll();
    expect(String(await later)).toBe('e');
  });

  it('frees the worker when an operation fails', async () => {
    const inner = new GatedBackend();
    const pool = new BackendPool(inner, { maxWorkers: 1, queueDepth: 1 });
    const failing = pool.read('fail');
    const next = pool.read('next');
    await settle();
    inner.releaseAll();
    await expect(failing).rejects.toThrow('disk on fire');
    await settle();
    inner.releaseAll();
    expect(String(await next)).toBe('next');
    expect(pool.inFlight).toBe(0);
  });

  it('drops a queued operation whose signal aborts, and refuses one already aborted', async () => {
    const inner = new GatedBackend();
    const pool = new BackendPool(inner, { maxWorkers: 1, queueDepth: 2 });
    const running = pool.read('a');
    const controller = new AbortController();
    const cancelled = pool.read('b', { signal: controller.signal });
    const next = pool.read('c');
    await settle();
    expect(pool.queued).toBe(2);

    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.queued).toBe(1);
    const reason = new Error('gone');
    await expect(pool.read('d', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(pool.queued).toBe(1);

    while (inner.running > 0 || pool.queued > 0) {
      inner.releaseAll();
      await settle();
    }
    expect([String(await running), String(await next)]).toEqual(['a', 'c']);
    expect(inner.started).toEqual(['a', 'c']);
  });
});

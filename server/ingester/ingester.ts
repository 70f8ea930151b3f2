import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TraceFragment } from '../otlp/split-traces';
import type { UnflushedTraceRef } from '../query/unflushed-source';
import type { DroppedTrace } from '../sampling/dropped-traces';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import type { Blocklist } from '../store/blocklist';
import type { StorageConfig } from '../store/store-config';
import { Wal } from '../wal/wal';
import { BlockFlusher } from './block-flusher';
import type { IngesterConfig } from './ingester-config';
import { SamplingStage } from './sampling-stage';
import type { TailSampler } from './tail-sampler';
import { TenantInstance, type UnflushedParts } from './tenant-instance';
import { traceWalCodec, type WalTraceRecord } from './trace-wal-codec';

export interface PushResult {
  acceptedSpans: number;
  /** Spans refused because their trace passed max_bytes_per_trace. */
  refusedSpans: number;
}

export interface IngesterDeps {
  config: IngesterConfig;
  /** Where the WAL lives and how blocks are built (`storage.trace`). */
  storage: Pick<StorageConfig, 'walPath' | 'bloomFalsePositive' | 'bloomShardSizeBytes'>;
  /** The tenant's limits (`Overrides.forTenant`): `max_bytes_per_trace` refuses and cuts spans. */
  limits: (tenantId: string) => { maxBytesPerTrace: number; maxLiveTraces: number };
  backend: Backend;
  blocklist: Blocklist;
  logger: Logger;
  metrics: SelfMetrics;
  /** Tail sampling (`sampling:`); undefined keeps every trace without waiting. */
  sampler?: TailSampler;
}

/**
 * Makes pushes durable (WAL) before they are acknowledged, keeps live traces by ID, cuts idle
 * traces into per-tenant head blocks, and turns full head blocks into backend blocks through the
 * block-builder worker. Tempo's ingester, for one process.
 */
export class Ingester {
  private readonly instances = new Map<string, TenantInstance>();
  private readonly wal: Wal<WalTraceRecord>;
  private readonly flusher: BlockFlusher;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly sampling: SamplingStage | undefined;

  constructor(private readonly deps: IngesterDeps) {
    this.wal = new Wal({ dir: deps.storage.walPath, codec: traceWalCodec });
    this.flusher = new BlockFlusher({
      storage: deps.storage,
      limits: deps.limits,
      backend: deps.backend,
      blocklist: deps.blocklist,
      logger: deps.logger,
      metrics: deps.metrics,
      release: (locations) => this.wal.release(locations),
      stopping: () => this.stopping,
    });
    this.sampling = deps.sampler
      ? new SamplingStage(deps.sampler, this.wal, deps.config.traceIdlePeriodMs)
      : undefined;
  }

  /** Replays the WAL (everything acknowledged before a crash comes back as live traces) and starts ticking. */
  async start(): Promise<void> {
    const now = Date.now();
    const replay = await this.wal.open(({ record, location }) => {
      const instance = this.instance(record.tenantId, now);
      const key = Buffer.from(record.traceId).toString('hex');
      const sampling = this.sampling;
      if (sampling && !sampling.replay(instance, key, record, location, now)) return;
      instance.append(
        {
          key,
          traceId: Buffer.from(record.traceId),
          data: Buffer.from(record.data),
          spanCount: record.spanCount,
          startMs: record.startMs,
          endMs: record.endMs,
          truncated: record.truncated,
          location,
        },
        now,
      );
      sampling?.observeReplayed(instance, key, record.data, now);
    });
    if (replay.records > 0) this.deps.logger.info(replay, 'replayed WAL');
    if (this.sampling)
      for (const instance of this.instances.values()) this.sampling.finishReplay(instance, now);
    const { traceIdlePeriodMs, flushCheckPeriodMs } = this.deps.config;
    // With tail sampling, often enough that a decision comes soon after its moment (decision_wait).
    const decisionWait = this.sampling?.sampler.decisionWaitMs ?? Number.POSITIVE_INFINITY;
    const period = Math.max(50, Math.min(flushCheckPeriodMs, traceIdlePeriodMs / 2, decisionWait / 5));
    this.timer = setInterval(() => this.tick(Date.now()), period);
    this.timer.unref();
  }

  /**
   * Appends a tenant's fragments to the WAL and indexes them; resolves once they are durable.
   * Fragments whose trace would pass max_bytes_per_trace are refused (their trace is marked
   * truncated, so queries report it as partial).
   */
  async push(tenantId: string, fragments: TraceFragment[]): Promise<PushResult> {
    if (this.stopping) throw new Error('ingester is shutting down');
    const now = Date.now();
    const instance = this.instance(tenantId, now);
    const { maxBytesPerTrace: maxBytes, maxLiveTraces } = this.deps.limits(tenantId);
    if (maxLiveTraces > 0) instance.checkLiveTraces(fragments, maxLiveTraces);
    const records: WalTraceRecord[] = [];
    const keys: string[] = [];
    let acceptedSpans = 0;
    let refusedSpans = 0;
    const pendingBytes = new Map<string, number>();
    for (const fragment of fragments) {
      const sampling = this.sampling;
      if (
        sampling &&
        !sampling.admit(tenantId, fragment.key, instance.live.get(fragment.key), fragment.spanCount)
      ) {
        // A late span of a dropped trace: acknowledged, never stored (it would bring back part of it).
        acceptedSpans += fragment.spanCount;
        continue;
      }
      const held = instance.bytesHeld(fragment.key) + (pendingBytes.get(fragment.key) ?? 0);
      if (held + fragment.data.length > maxBytes) {
        refusedSpans += fragment.spanCount;
        const live = instance.live.get(fragment.key);
        if (!live?.truncated) {
          records.push({
            ...this.recordOf(tenantId, fragment),
            data: Buffer.alloc(0),
            spanCount: 0,
            truncated: true,
          });
          keys.push(fragment.key);
        }
        continue;
      }
      pendingBytes.set(fragment.key, (pendingBytes.get(fragment.key) ?? 0) + fragment.data.length);
      acceptedSpans += fragment.spanCount;
      records.push(this.recordOf(tenantId, fragment));
      keys.push(fragment.key);
    }
    if (records.length === 0) return { acceptedSpans, refusedSpans };
    const { locations, durable } = this.wal.append(records);
    records.forEach((record, i) => {
      instance.append({ ...record, key: keys[i], location: locations[i] }, now);
      this.sampling?.afterAppend(instance, keys[i], record.data, now);
    });
    await durable;
    return { acceptedSpans, refusedSpans };
  }

  /** A trace's spans not yet in a flushed block, oldest first; undefined if none. */
  findUnflushed(tenantId: string, key: string): { parts: Uint8Array[]; truncated: boolean } | undefined {
    const parts: UnflushedParts | undefined = this.instances.get(tenantId)?.unflushedParts(key);
    if (!parts) return undefined;
    const fromWal = parts.walLocations.filter((l) => l.length > 0).map((l) => this.wal.read(l));
    return { parts: [...fromWal, ...parts.inMemory], truncated: parts.truncated };
  }

  /** What tail sampling remembers of a trace it dropped (for "not kept by sampling" answers). */
  droppedTrace(tenantId: string, key: string): DroppedTrace | undefined {
    return this.sampling?.droppedTrace(tenantId, key);
  }

  /** Every trace with spans not yet in a flushed block (live, head block, blocks being built). */
  listUnflushed(tenantId: string): UnflushedTraceRef[] {
    const instance = this.instances.get(tenantId);
    if (!instance) return [];
    const refs = new Map<string, UnflushedTraceRef>();
    const add = (key: string, trace: { startMs: number; endMs: number; spanCount: number }) => {
      if (trace.spanCount === 0) return;
      const ref = refs.get(key);
      if (!ref) {
        const partlyFlushed = instance.recentlyFlushed.mayHave(key);
        refs.set(key, {
          key,
          startMs: trace.startMs,
          endMs: trace.endMs,
          spanCount: trace.spanCount,
          partlyFlushed,
        });
      } else {
        ref.startMs = Math.min(ref.startMs, trace.startMs);
        ref.endMs = Math.max(ref.endMs, trace.endMs);
        ref.spanCount += trace.spanCount;
      }
    };
    for (const block of instance.flushing.values()) for (const [key, trace] of block.traces) add(key, trace);
    for (const [key, trace] of instance.head.traces) add(key, trace);
    for (const [key, trace] of instance.live) add(key, trace);
    return [...refs.values()];
  }

  /** Cuts every live trace and head block and waits for all blocks to be written (SIGTERM). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.flushAll();
    await this.flusher.close();
    await this.wal.close();
  }

  /** One ingester cycle; exposed for tests that drive time themselves. */
  tick(now: number): void {
    let live = 0;
    let backlog = 0;
    for (const instance of this.instances.values()) {
      this.sampling?.settleDue(instance, now);
      this.cutBlocks(instance, now, now - this.deps.config.traceIdlePeriodMs, false);
      live += instance.live.size;
      backlog += instance.liveBytes + instance.head.bytes;
      for (const block of instance.flushing.values()) backlog += block.bytes;
    }
    const wal = this.wal.size();
    this.deps.metrics.walBytes.set(wal.bytes);
    this.deps.metrics.walSegments.set(wal.segments);
    this.deps.metrics.walBacklogBytes.set(backlog);
    this.deps.metrics.liveTraces.set(live);
    if (this.sampling) {
      this.sampling.sampler.updateGauges();
      this.sampling.releaseSettledDrops().catch((err: unknown) => {
        this.deps.logger.warn({ err }, 'releasing WAL records of dropped traces failed; retried next tick');
      });
    }
  }

  /** Cuts everything now and waits until it is in blocks (tests and benchmarks). */
  async flushAll(): Promise<void> {
    await this.wal.flushNow();
    for (const instance of this.instances.values()) {
      this.sampling?.settleAll(instance, Date.now());
      this.cutBlocks(instance, Date.now(), undefined, true);
    }
    await this.flusher.settle();
  }

  /**
   * Moves traces idle since `idleBefore` (all when undefined) into the head block in
   * max_block_bytes steps, so a burst becomes several blocks rather than one huge one; full
   * heads are flushed, and with `flushRemainder` a partly filled head too.
   */
  private cutBlocks(
    instance: TenantInstance,
    now: number,
    idleBefore: number | undefined,
    flushRemainder: boolean,
  ): void {
    const { maxBlockBytes, maxBlockDurationMs } = this.deps.config;
    for (;;) {
      instance.cutIdleTraces(idleBefore, maxBlockBytes);
      if (instance.headIsFull(now, maxBlockBytes, maxBlockDurationMs)) {
        this.flushHead(instance, now);
        continue;
      }
      if (flushRemainder && instance.head.traces.size > 0) this.flushHead(instance, now);
      return;
    }
  }

  private recordOf(tenantId: string, fragment: TraceFragment): WalTraceRecord {
    return {
      tenantId,
      traceId: fragment.traceId,
      spanCount: fragment.spanCount,
      startMs: fragment.startMs,
      endMs: fragment.endMs,
      truncated: false,
      data: fragment.data,
    };
  }

  private instance(tenantId: string, now: number): TenantInstance {
    let instance = this.instances.get(tenantId);
    if (!instance) {
      instance = new TenantInstance(tenantId, now, this.sampling === undefined);
      this.instances.set(tenantId, instance);
    }
    return instance;
  }

  /**
   * Why the backend is not taking blocks, or undefined when the last flush went through. Spans
   * stay acknowledged and queryable meanwhile: they wait in the WAL, and flushes are retried.
   */
  backendFailure(): string | undefined {
    return this.flusher.backendFailure();
  }

  private flushHead(instance: TenantInstance, now: number): void {
    const blockId = randomUUID();
    const head = instance.cutHeadBlock(blockId, now);
    this.flusher.flush(instance, blockId, head);
  }
}

import type { Logger } from 'pino';
import { Compactor } from '../compactor/compactor';
import { PeriodicRun } from '../compactor/periodic-run';
import type { LoupeConfig } from '../config/types';
import { Distributor } from '../distributor/distributor';
import { BlockBuilder } from '../ingester/block-builder';
import { Ingester } from '../ingester/ingester';
import { TraceFinder } from '../query/find-trace';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import { Blocklist } from '../store/blocklist';
import { applyRetention } from '../store/retention';
import type { Overrides } from '../tenancy/overrides';

export interface TracesDeps {
  config: LoupeConfig;
  backend: Backend;
  overrides: Overrides;
  logger: Logger;
  metrics: SelfMetrics;
}

/**
 * The trace signal, in the logs module's shape: what the rest of the process needs of it. The
 * distributor takes OTLP trace exports from both receivers; the finder answers trace by ID over
 * blocks and unflushed spans; `applyRetention` expires blocks on the one retention schedule.
 */
export interface TracesModule {
  /** The receivers' trace export handler (validation, limits, observers, then the ingester). */
  distributor: Distributor;
  /** Trace by ID for the API app and the trace page. */
  finder: TraceFinder;
  /** Deletes blocks past `compactor.compaction.block_retention`. */
  applyRetention(nowMs: number): Promise<void>;
  /**
   * One compaction cycle (every `compaction_cycle` unless `compactor.disabled`): merges a group of
   * small blocks per tenant and deletes compacted blocks past `compacted_block_retention`.
   */
  compact(nowMs: number): Promise<void>;
  /** Cuts every live trace into blocks and waits for them to be written (SIGTERM). */
  stop(): Promise<void>;
  /** Tests and benchmarks look inside. */
  ingester: Ingester;
  blocklist: Blocklist;
}

/** Loads the blocklist, replays the trace WAL and returns the running module. */
export async function startTraces(deps: TracesDeps): Promise<TracesModule> {
  const { config, backend, metrics, logger } = deps;
  const blocklist = new Blocklist(logger.child({ component: 'blocklist' }));
  await blocklist.load(backend);
  const ingester = new Ingester({
    config: config.ingester,
    storage: config.storage,
    limits: (tenantId) => deps.overrides.forTenant(tenantId),
    backend,
    blocklist,
    logger: logger.child({ component: 'ingester' }),
    metrics,
  });
  await ingester.start();
  const finder = new TraceFinder({
    unflushed: ingester,
    blocks: blocklist,
    maxBytesPerTrace: (tenantId) => deps.overrides.forTenant(tenantId).maxBytesPerTrace,
    metrics,
  });
  // Its own worker: a compaction must not queue behind the ingester's flushes, nor they behind it.
  const compactionBuilder = new BlockBuilder();
  const compactor = new Compactor({
    backend,
    blocklist,
    builder: compactionBuilder,
    config: config.compactor,
    bloomFalsePositive: config.storage.bloomFalsePositive,
    bloomShardSizeBytes: config.storage.bloomShardSizeBytes,
    maxBytesPerTrace: (tenantId) => deps.overrides.forTenant(tenantId).maxBytesPerTrace,
    logger: logger.child({ component: 'compactor' }),
    metrics,
  });
  const compaction = new PeriodicRun(
    (nowMs) => compactor.runCycle(nowMs),
    (err) => {
      metrics.compactionFailures.inc();
      logger.error({ err }, 'compaction failed');
    },
  ).start(config.compactor.disabled ? undefined : config.compactor.cycleMs);
  // Blocks other processes on the same backend wrote or deleted (Tempo's blocklist_poll).
  const polling = new PeriodicRun(
    () => blocklist.poll(backend),
    (err) => logger.warn({ err }, 'blocklist poll failed'),
  ).start(config.storage.blocklistPollMs);
  return {
    distributor: new Distributor(ingester, metrics),
    finder,
    async applyRetention(nowMs) {
      const deleted = await applyRetention(backend, blocklist, {
        retentionMs: config.compactor.blockRetentionMs,
        now: nowMs,
      });
      if (deleted.length > 0) logger.info({ deleted: deleted.length }, 'retention deleted blocks');
    },
    compact: (nowMs) => compaction.runOnce(nowMs),
    async stop() {
      await Promise.all([compaction.stop(), polling.stop()]);
      await compactionBuilder.close();
      await ingester.stop();
    },
    ingester,
    blocklist,
  };
}

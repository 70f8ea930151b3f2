import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { Compactor } from '../compactor/compactor';
import { PeriodicRun } from '../compactor/periodic-run';
import type { LoupeConfig } from '../config/types';
import { Distributor } from '../distributor/distributor';
import { internalUnflushedRoutes } from '../http/routes/internal-unflushed';
import { BlockBuilder } from '../ingester/block-builder';
import { Ingester } from '../ingester/ingester';
import { TailSampler } from '../ingester/tail-sampler';
import { IngesterDiscovery } from '../querier/ingester-discovery';
import { RemoteIngesters } from '../querier/remote-ingesters';
import { TraceFinder } from '../query/find-trace';
import type { StaleBlocks } from '../query/stale-blocks';
import { ingesterSource, NO_UNFLUSHED, type SearchableUnflushedSource } from '../query/unflushed-source';
import { describeDroppedTrace } from '../sampling/dropped-traces';
import { SamplingMetrics } from '../sampling/sampling-metrics';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import { Blocklist, type PollOptions } from '../store/blocklist';
import { applyRetention } from '../store/retention';
import { tenantIndexOptions } from '../store/store-config';
import { authorizationFor } from '../tenancy/auth';
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
  /**
   * The receivers' trace export handler (validation, limits, observers, then the ingester);
   * only where an ingester runs (`-target=all` or `ingester`).
   */
  distributor?: Distributor;
  /** What is not in blocks yet: this process's ingester, the remote ingesters, or nothing. */
  unflushed: SearchableUnflushedSource;
  /** Where the blocklist is the bucket's: how a query recovers from a block deleted since the last poll. */
  staleBlocks?: StaleBlocks;
  /** The routes through which queriers read this process's unflushed data (where an ingester runs). */
  internalRoutes?: FastifyPluginAsync;
  /** Trace by ID for the API app and the trace page. */
  finder: TraceFinder;
  /** Why a missing trace is missing, when this process's ingester knows (tail sampling dropped it). */
  explainMissingTrace?: (tenantId: string, key: string) => string | undefined;
  /** Whether tail sampling dropped the trace `key` (lowercase hex), while it remembers it. */
  isTraceDropped?: (tenantId: string, key: string) => boolean;
  /** Deletes blocks past `compactor.compaction.block_retention`. */
  applyRetention(nowMs: number): Promise<void>;
  /**
   * One compaction cycle (every `compaction_cycle` unless `compactor.disabled`): merges a group of
   * small blocks per tenant and deletes compacted blocks past `compacted_block_retention`.
   */
  compact(nowMs: number): Promise<void>;
  /** Cuts every live trace into blocks and waits for them to be written (SIGTERM). */
  stop(): Promise<void>;
  /** Tests and benchmarks look inside (undefined where no ingester runs). */
  ingester?: Ingester;
  blocklist: Blocklist;
}

/**
 * Loads the blocklist, replays the trace WAL and returns the running module, with the parts
 * `config.target` asks for: an ingester (all, ingester), the bucket's blocklist kept up to date
 * (all, querier, compactor), the compactor and block retention (all, compactor).
 */
export async function startTraces(deps: TracesDeps): Promise<TracesModule> {
  const { config, backend, metrics, logger } = deps;
  const { target } = config;
  const runsIngester = target === 'all' || target === 'ingester';
  // An ingester alone holds only the blocks it flushed, until queriers have surely polled them.
  const readsBucket = target !== 'ingester';
  const runsCompactor = target === 'all' || target === 'compactor';
  // Pollers read the tenant indexes the compactor writes; a compactor lists, and builds them.
  const blocklist = new Blocklist(logger.child({ component: 'blocklist' }), {
    tenantIndex: runsCompactor ? undefined : tenantIndexOptions(config.storage),
  });
  if (readsBucket) await blocklist.load(backend);
  let polling: { done: Promise<unknown>; lists: boolean } | undefined;
  // One poll at a time, shared by the schedule and by queries that found the list stale. One
  // that must list (an index lacks the newest blocks) waits out an index-based one, then lists.
  const pollNow = async (options: PollOptions = {}) => {
    while (polling && options.list && !polling.lists) await polling.done.catch(() => {});
    if (!polling) {
      const done = blocklist.poll(backend, options).finally(() => {
        polling = undefined;
      });
      polling = { done, lists: options.list === true };
    }
    await polling.done;
  };
  const staleBlocks: StaleBlocks | undefined = readsBucket
    ? {
        // A listing, not a read: a cached meta.json would say a deleted block is still there.
        isGone: async (tenantId, blockId) => (await backend.list(`${tenantId}/${blockId}/`)).length === 0,
        refresh: () => pollNow({ list: true }),
      }
    : undefined;
  let ingester: Ingester | undefined;
  if (runsIngester) {
    ingester = new Ingester({
      config: config.ingester,
      storage: config.storage,
      limits: (tenantId) => deps.overrides.forTenant(tenantId),
      backend,
      blocklist,
      logger: logger.child({ component: 'ingester' }),
      metrics,
      sampler: tailSamplerFor(config, deps.overrides, metrics),
    });
    await ingester.start();
  }
  const unflushed = ingester
    ? ingesterSource(ingester)
    : target === 'querier'
      ? remoteIngesters(deps, blocklist, () => pollNow({ list: true }))
      : NO_UNFLUSHED;
  const finder = new TraceFinder({
    unflushed,
    blocks: blocklist,
    maxBytesPerTrace: (tenantId) => deps.overrides.forTenant(tenantId).maxBytesPerTrace,
    metrics,
    staleBlocks,
  });
  const compaction = runsCompactor ? startCompaction(deps, blocklist) : undefined;
  const background = new PeriodicRun(
    readsBucket
      ? // Blocks other processes on the same backend wrote or deleted (Tempo's blocklist_poll).
        () => pollNow()
      : async (nowMs) => forgetPolledBlocks(blocklist, nowMs - config.ingester.completeBlockTimeoutMs),
    (err) => logger.warn({ err }, readsBucket ? 'blocklist poll failed' : 'forgetting flushed blocks failed'),
  ).start(
    readsBucket ? config.storage.blocklistPollMs : Math.min(60_000, config.ingester.completeBlockTimeoutMs),
  );
  return {
    distributor:
      ingester && new Distributor(ingester, metrics, (tenantId) => deps.overrides.forTenant(tenantId)),
    unflushed,
    staleBlocks,
    internalRoutes:
      ingester &&
      (async (app) =>
        internalUnflushedRoutes(app, {
          ingester: ingester,
          instance: randomUUID(),
          recentBlocks: (tenantId) => blocklist.blocks(tenantId).map((entry) => entry.meta.blockId),
        })),
    finder,
    explainMissingTrace:
      ingester &&
      ((tenantId, key) => {
        const dropped = ingester?.droppedTrace(tenantId, key);
        return dropped && describeDroppedTrace(key, dropped);
      }),
    isTraceDropped: ingester && ((tenantId, key) => ingester.droppedTrace(tenantId, key) !== undefined),
    async applyRetention(nowMs) {
      if (!runsCompactor) return;
      const deleted = await applyRetention(backend, blocklist, {
        retentionMs: config.compactor.blockRetentionMs,
        now: nowMs,
      });
      if (deleted.length > 0) logger.info({ deleted: deleted.length }, 'retention deleted blocks');
    },
    compact: async (nowMs) => compaction?.runOnce(nowMs),
    async stop() {
      await Promise.all([compaction?.stop(), background.stop()]);
      await ingester?.stop();
    },
    ingester,
    blocklist,
  };
}

/** The compactor on its own block-building worker, every `compaction_cycle` unless disabled. */
function startCompaction(deps: TracesDeps, blocklist: Blocklist) {
  const { config, backend, metrics, logger } = deps;
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
  return {
    runOnce: (nowMs: number) => compaction.runOnce(nowMs),
    async stop() {
      await compaction.stop();
      // Another compactor on the bucket takes over at once, not after the lease expires.
      await compactor.release().catch((err) => logger.warn({ err }, 'releasing the compactor lease failed'));
      await compactionBuilder.close();
    },
  };
}

/** A querier's view of the ingesters' unflushed data, over HTTP. */
/**
 * The ingester's tail sampler, when `sampling.policies` are configured or a runtime overrides file
 * may give a tenant its own; without one every trace is kept at once.
 */
function tailSamplerFor(
  config: LoupeConfig,
  overrides: Overrides,
  metrics: SelfMetrics,
): TailSampler | undefined {
  if (!config.sampling.policies && !config.overrides.perTenantFile) return undefined;
  return new TailSampler(
    config.sampling,
    (tenantId) => overrides.forTenant(tenantId).sampling,
    new SamplingMetrics(metrics.registers),
  );
}

function remoteIngesters(
  deps: TracesDeps,
  blocklist: Blocklist,
  pollNow: () => Promise<void>,
): RemoteIngesters {
  const discovery = new IngesterDiscovery(deps.config.querier.ingesterAddresses);
  const log = deps.logger.child({ component: 'querier' });
  return new RemoteIngesters({
    addresses: () => discovery.addresses(),
    learnBlocks: async (tenantId, blockIds) => {
      await blocklist.addFromBackend(deps.backend, tenantId, blockIds);
    },
    pollBlocks: async () => {
      log.info('an ingester restarted or went away: polling the blocklist for the blocks it flushed');
      await pollNow();
    },
    timeoutMs: deps.config.search.queryTimeoutMs,
    authorization: (tenantId) => authorizationFor(deps.config.auth, tenantId),
    onError: (address, err) => {
      deps.metrics.ingesterQueryFailures.inc({ ingester: address });
      log.warn(
        { err, ingester: address },
        'ingester did not answer: its unflushed spans are missing from this answer',
      );
    },
  });
}

/**
 * An ingester alone keeps the blocks it flushed only until every querier has polled them
 * (`complete_block_timeout`); from then on they are the queriers' to read.
 */
function forgetPolledBlocks(blocklist: Blocklist, flushedBeforeMs: number): void {
  for (const tenantId of blocklist.tenantIds()) {
    for (const { meta } of blocklist.blocks(tenantId)) {
      if (Date.parse(meta.createdAt) < flushedBeforeMs) blocklist.remove(tenantId, meta.blockId);
    }
  }
}

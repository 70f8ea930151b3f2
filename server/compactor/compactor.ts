import { randomUUID } from 'node:crypto';
import { blockPrefix } from '../store/block-keys';
import { openBuiltBlock } from '../store/block-reader';
import { writeBlockMeta, writeBlockObjects } from '../store/block-writer';
import type { BlockEntry } from '../store/blocklist';
import {
  compactionFields,
  readCompactionInputs,
  transferableSources,
} from '../store/compaction/compact-blocks';
import { openSearchSidecar } from '../store/search/search-sidecar';
import { tenantIndexOf, writeTenantIndex } from '../store/tenant-index';
import { deleteCompactedBlocks, deleteHalfWrittenBlocks } from './compactor-cleanup';
import type { CompactorDeps } from './compactor-deps';
import { CompactorLease } from './compactor-lease';
import { MAX_COMPACTION_RAW_BYTES, MAX_INPUT_BLOCKS, pickInputs } from './pick-inputs';

/** Compactions of one tenant in one cycle at most: the cycle ends, and the others' turn comes. */
const MAX_COMPACTIONS_PER_TENANT_CYCLE = 16;

/**
 * Compactions under way at once. Each reads its inputs (I/O), builds its block on the
 * compactor's block-builder worker (one CPU, one build at a time), then writes the block (I/O,
 * fsyncs or PUTs). One at a time, the worker sat idle through every read and write: it was busy
 * about half the wall time of a run of small compactions (docs/benchmarks.md, "Compaction"). With
 * three, it builds one block while the block before it is written and the inputs of the next
 * are read (busy ~75%); more adds memory and contention for the same one worker.
 */
export const MAX_CONCURRENT_COMPACTIONS = 3;

/** One tenant's share of a cycle. */
interface TenantRound {
  tenantId: string;
  started: number;
  /** Nothing more of this tenant this cycle: its cap reached, nothing left to merge, or a failure. */
  done: boolean;
  /** Inputs of its compactions under way, by block ID: no other compaction may take them. */
  busy: Set<string>;
  /** Its compactions under way: the window each merges, and the level its block will have. */
  inFlight: Set<{ window: number; level: number }>;
}

/** The lease was lost part-way through a cycle: the cycle stops, its unfinished block dropped. */
class LeaseLostError extends Error {}

export interface CycleResult {
  compacted: { tenantId: string; blockId: string; inputs: string[] }[];
  /** Compacted inputs deleted after their retention. */
  deleted: number;
  /** Half-written block directories deleted. */
  incompleteDeleted: number;
}

/**
 * Merges small blocks into bigger ones and deletes what they replaced. One cycle compacts up to
 * 16 groups per tenant, a few of them side by side; each new block is written whole (meta.json
 * last, naming its inputs in `compactedFrom`) before the blocklist swaps it in, so a query sees the inputs or the new
 * block, and a crash at any point leaves the inputs or the new block (or both, which queries
 * already combine) — never neither. Inputs are deleted `compacted_block_retention` later.
 */
export class Compactor {
  readonly lease: CompactorLease;
  /** The other holder last logged as being waited for, so the wait is logged once per holder. */
  private waitingFor: string | undefined;
  /** Whether the blocklist was listed since this process last gained the lease. */
  private caughtUp = false;

  constructor(private readonly deps: CompactorDeps) {
    this.lease = deps.lease ?? new CompactorLease({ backend: deps.backend, logger: deps.logger });
    deps.metrics?.compactorLeaseHeld.set(0);
    this.lease.onChange((held) => {
      deps.metrics?.compactorLeaseHeld.set(held ? 1 : 0);
      if (!held) this.caughtUp = false;
    });
  }

  /**
   * One cycle, only while this process holds the compactor lease (several compactors may run
   * on one bucket; one works): compactions, deletion of what they replaced and of half-written
   * blocks, then the tenant indexes pollers read. A lease lost part-way ends the cycle there.
   */
  async runCycle(now = Date.now()): Promise<CycleResult> {
    const result: CycleResult = { compacted: [], deleted: 0, incompleteDeleted: 0 };
    if (!(await this.holdLease())) return result;
    try {
      await this.compactTenants(result);
      this.checkLease();
      result.deleted = await deleteCompactedBlocks(this.deps, now);
      this.checkLease();
      result.incompleteDeleted = await deleteHalfWrittenBlocks(this.deps, now);
      this.checkLease();
      await this.writeTenantIndexes();
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      this.deps.logger.info({ owner: this.lease.holder()?.owner }, err.message);
    }
    return result;
  }

  /** Gives the lease up (graceful stop), so another compactor can take over at once. */
  async release(): Promise<void> {
    await this.lease.release();
  }

  /** Acquires or renews the lease; logs once per holder while another one has it. */
  private async holdLease(): Promise<boolean> {
    if (await this.lease.tryAcquire()) {
      if (!this.caughtUp) {
        // What a previous holder compacted since this process last listed must not be compacted again.
        await this.deps.blocklist.poll(this.deps.backend, { list: true });
        this.caughtUp = true;
        if (this.waitingFor !== undefined) this.deps.logger.info({}, 'took over the compactor lease');
      }
      this.waitingFor = undefined;
      return true;
    }
    const holder = this.lease.holder();
    const owner = holder?.owner ?? '';
    if (owner !== this.waitingFor) {
      this.waitingFor = owner;
      const until = holder ? new Date(holder.expiresAt).toISOString() : 'it is renewed';
      this.deps.logger.info(
        { owner: holder?.owner, expiresAt: until },
        `waiting for the compactor lease held by ${holder?.owner ?? 'another compactor'} until ${until}`,
      );
    }
    return false;
  }

  private checkLease(): void {
    if (!this.lease.holds()) throw new LeaseLostError('compactor lease lost: cycle stopped');
  }

  /**
   * Every tenant's compactions of this cycle, up to `MAX_CONCURRENT_COMPACTIONS` under way at
   * once (of one tenant or several, tenants in turn), with disjoint inputs. Each commits on its
   * own (meta.json after its objects, the lease checked first), so running them side by side
   * changes nothing of what a crash leaves. A lease lost ends the cycle once those under way have
   * stopped: none of them commits after that.
   */
  private async compactTenants(result: CycleResult): Promise<void> {
    const rounds: TenantRound[] = this.deps.blocklist.tenantIds().map((tenantId) => ({
      tenantId,
      started: 0,
      done: false,
      busy: new Set(),
      inFlight: new Set(),
    }));
    const running = new Set<Promise<void>>();
    let rawBytes = 0;
    let lost: LeaseLostError | undefined;
    const start = (round: TenantRound, inputs: BlockEntry[]) => {
      const { tenantId } = round;
      const ids = inputs.map((input) => input.meta.blockId);
      const raw = rawBytesOf(inputs);
      const flight = { window: this.windowOf(inputs), level: levelAfter(inputs) };
      round.started++;
      for (const id of ids) round.busy.add(id);
      round.inFlight.add(flight);
      rawBytes += raw;
      const task: Promise<void> = this.compact(tenantId, inputs, () => lost !== undefined)
        .then(
          (blockId) => {
            result.compacted.push({ tenantId, blockId, inputs: ids });
          },
          (err) => {
            if (err instanceof LeaseLostError) {
              lost ??= err;
              return;
            }
            // One tenant's failure (an input deleted by retention meanwhile, a full disk) does not
            // stop the others; its blocks are tried again next cycle.
            round.done = true;
            this.deps.metrics?.compactionFailures.inc();
            this.deps.logger.warn({ err, tenant: tenantId }, 'compaction failed; retried next cycle');
          },
        )
        .finally(() => {
          for (const id of ids) round.busy.delete(id);
          round.inFlight.delete(flight);
          rawBytes -= raw;
          running.delete(task);
        });
      running.add(task);
    };
    const fill = () => {
      for (const round of rounds) {
        while (!round.done && lost === undefined && running.size < MAX_CONCURRENT_COMPACTIONS) {
          const next = this.nextInputs(round, running.size, rawBytes);
          if (next === 'wait') break;
          if (next === undefined) round.done = true;
          else start(round, next);
        }
      }
    };
    for (fill(); running.size > 0; fill()) await Promise.race(running);
    if (lost) throw lost;
  }

  /**
   * The tenant's next inputs; `'wait'` when it may have some once a compaction under way has
   * committed; undefined when it has none left this cycle. Alone, a compaction takes what
   * `pickInputs` picks, as one at a time did. Beside others, only a group that one at a time would
   * have picked as well — in another window than those under way, or a full group of blocks below
   * the level their blocks will have (the selector takes lower levels first, so none of those
   * blocks would have joined it) — so running side by side leaves the same blocks behind; and
   * only while all of them together stay within the raw bytes one compaction may hold.
   */
  private nextInputs(
    round: TenantRound,
    runningCount: number,
    rawBytesRunning: number,
  ): BlockEntry[] | 'wait' | undefined {
    if (round.started >= MAX_COMPACTIONS_PER_TENANT_CYCLE) return undefined;
    const candidates = this.deps.blocklist
      .blocks(round.tenantId)
      .filter((entry) => !round.busy.has(entry.meta.blockId));
    const inputs = pickInputs(candidates, this.deps.config);
    if (!inputs) return round.inFlight.size > 0 ? 'wait' : undefined;
    if (runningCount === 0) return inputs;
    if (rawBytesRunning + rawBytesOf(inputs) > MAX_COMPACTION_RAW_BYTES) return 'wait';
    const window = this.windowOf(inputs);
    const highest = Math.max(...inputs.map((input) => input.meta.compactionLevel ?? 0));
    for (const flight of round.inFlight) {
      if (flight.window !== window) continue;
      if (inputs.length < MAX_INPUT_BLOCKS || highest >= flight.level) return 'wait';
    }
    return inputs;
  }

  /** The `compaction_window` a group of inputs falls in (`pickInputs` groups by it). */
  private windowOf(inputs: readonly BlockEntry[]): number {
    return Math.floor(inputs[0].meta.endMs / this.deps.config.windowMs);
  }

  /**
   * Writes `<tenant>/loupe-index.json.gz` for every tenant this process knows or last listed (an
   * emptied tenant gets an empty index, not a stale one): what pollers read instead of listing.
   * Never Tempo's `index.json.gz`, in a bucket shared with it.
   */
  private async writeTenantIndexes(): Promise<void> {
    const { backend, blocklist, logger } = this.deps;
    const listing = blocklist.lastFullListing();
    const tenants = new Set([
      ...(listing?.tenantIds ?? []),
      ...blocklist.tenantIds(),
      ...blocklist.tenantIdsWithCompacted(),
    ]);
    for (const tenantId of tenants) {
      const index = tenantIndexOf(blocklist, tenantId, this.lease.owner);
      try {
        await writeTenantIndex(backend, tenantId, index);
      } catch (err) {
        // Pollers keep using the previous one until it is stale, then list.
        logger.warn({ err, tenant: tenantId }, 'could not write the tenant index');
      }
    }
  }

  /**
   * One compaction: inputs read side by side and merged here, the block built on the worker, its
   * objects written side by side, then — only once every one of them is durable, and only while
   * the lease is still ours — its meta.json, the commit. `stopped`: the cycle is ending (the
   * lease was lost), so the block must not be committed.
   */
  private async compact(tenantId: string, inputs: BlockEntry[], stopped: () => boolean): Promise<string> {
    const { backend, blocklist, builder, metrics } = this.deps;
    const began = performance.now();
    // The inputs' search sidecars are read beside their pages: the new block copies their row
    // groups where it can instead of building them again (most of a build's CPU).
    const { traces, search } = await readCompactionInputs(
      backend,
      inputs,
      this.deps.maxBytesPerTrace(tenantId),
    );
    // Nothing built for a cycle already ending.
    if (stopped())
      throw new LeaseLostError(`compactor lease lost while compacting ${tenantId}: cycle stopped`);
    const blockId = randomUUID();
    const result = await builder.build(
      {
        kind: 'records',
        blockId,
        tenantId,
        bloomFalsePositive: this.deps.bloomFalsePositive,
        bloomShardSizeBytes: this.deps.bloomShardSizeBytes,
        traces,
        meta: compactionFields(inputs.map((input) => input.meta)),
        ...(search ? { search } : {}),
      },
      transferableSources(search),
    );
    const built = { meta: result.meta, objects: result.objects };
    let committing = false;
    try {
      await writeBlockObjects(backend, built);
      // meta.json is the commit: only while the lease is still ours (renewed if due), so a
      // compactor that lost it mid-merge does not publish a block beside the new holder's.
      if (stopped() || !(await this.lease.tryAcquire())) {
        throw new LeaseLostError(
          `compactor lease lost before committing a block of ${tenantId}: cycle stopped`,
        );
      }
      committing = true;
      await writeBlockMeta(backend, built.meta);
    } catch (err) {
      // Without meta.json the folder is invisible: removed now rather than at the next start.
      // Once meta.json was attempted it may exist (a PUT can land and still fail), and then the
      // objects it names must stay.
      if (!committing) await backend.delete(blockPrefix(tenantId, blockId)).catch(() => {});
      throw err;
    }
    blocklist.replace({
      meta: built.meta,
      reader: openBuiltBlock(backend, built),
      search: openSearchSidecar(backend, built.meta, built.objects),
    });
    metrics?.compactions.inc({ tenant: tenantId });
    metrics?.blocksCompacted.inc({ tenant: tenantId }, inputs.length);
    metrics?.compactionSeconds.observe((performance.now() - began) / 1000);
    const searchMeta = built.meta.search;
    if (searchMeta && metrics) {
      const copied = searchMeta.copiedRows ?? 0;
      metrics.compactionSearchRows.inc({ how: 'copied' }, copied);
      metrics.compactionSearchRows.inc({ how: 'built' }, searchMeta.rows - copied);
    }
    this.deps.logger.info(
      {
        tenant: tenantId,
        blockId,
        inputs: inputs.map((i) => i.meta.blockId),
        traces: built.meta.totalTraces,
      },
      'blocks compacted',
    );
    return blockId;
  }
}

/** Raw (uncompressed OTLP) bytes of a group of inputs: what merging them holds in memory. */
function rawBytesOf(inputs: readonly BlockEntry[]): number {
  return inputs.reduce((sum, input) => sum + input.meta.rawBytes, 0);
}

/** The compaction level of the block merged from `inputs` (as `compactionFields` sets it). */
function levelAfter(inputs: readonly BlockEntry[]): number {
  return compactionFields(inputs.map((input) => input.meta)).compactionLevel ?? 1;
}

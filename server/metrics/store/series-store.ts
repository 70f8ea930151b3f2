import type { Logger } from 'pino';
import { type SeriesLimit, seriesLimitOf } from '../../metrics-generator/series-limit';
import { labelsKey, normalizeLabels } from '../../series-model/labels';
import { type SampleBatch, sampleCount } from '../../series-model/sample-batch';
import type { Backend } from '../../store/backend/backend';
import { METRICS_PREFIX } from '../../store/backend/prefixes';
import { blobWalCodec, RECORD_KIND_SAMPLES, type WalBlobRecord } from '../../wal/blob-codec';
import type { WalLocation } from '../../wal/segments';
import { Wal } from '../../wal/wal';
import { type ChunkRef, newChunkRef, parseChunkName } from './chunk-names';
import {
  decodeChunk,
  decodeWalBatch,
  encodeChunk,
  encodeSeriesEach,
  mergeBatches,
  packWalRecords,
} from './sample-codec';
import { SeriesQuerier } from './series-querier';
import { TenantSeries } from './tenant-series';

/** Decoded chunks kept for queries reaching past the head. */
const CHUNK_CACHE_ENTRIES = 8;

export interface SeriesStoreOptions {
  backend: Backend;
  walDir: string;
  retentionMs: number;
  /** `metrics.max_series_per_tenant`, or each tenant's own. */
  maxSeriesPerTenant: SeriesLimit;
  /** Samples stay in the WAL at most this long before they are cut into a stored chunk. */
  chunkPeriodMs?: number;
  /** Samples stay in memory this long (they are in chunks past `chunkPeriodMs`); default chunk period + 1 h. */
  headMs?: number;
  logger: Logger;
}

export interface AppendResult {
  /** Series refused because the tenant is at its series limit. */
  droppedSeries: number;
  /** Samples (and exemplars) of the refused series. */
  droppedSamples: number;
  /** New series refused because the append had already created `maxNewSeries`, and their samples. */
  overNewSeriesLimit: { series: number; samples: number };
  /** Series left out because they cannot be written to the WAL (see `encodeSeriesEach`). */
  unwritableSeries: number;
  /** Samples (and exemplars) of those series. */
  unwritableSamples: number;
  /** Resolves once the accepted samples are in the WAL on disk. */
  durable: Promise<void>;
}

type LoadResult = Pick<AppendResult, 'droppedSeries' | 'droppedSamples' | 'overNewSeriesLimit'> & {
  accepted: SampleBatch;
};

interface PendingBatch {
  batch: SampleBatch;
  location: WalLocation;
  firstMs: number;
}

/**
 * The embedded series store: every tenant's series in memory (within retention), each append
 * written to a WAL first; every `chunkPeriodMs` a tenant's WAL batches are merged into one
 * gzip chunk under `@metrics/<tenant>/` on the backend and released from the WAL. On start,
 * chunks are loaded, then the WAL replayed (a sample already present is skipped).
 */
export class SeriesStore {
  private readonly tenants = new Map<string, TenantSeries>();
  private readonly pending = new Map<string, PendingBatch[]>();
  private readonly wal: Wal<WalBlobRecord>;
  private readonly chunkPeriodMs: number;
  private readonly headMs: number;
  private readonly chunkRefs = new Map<string, ChunkRef[]>();
  /** Per tenant: from this time on, every sample is in the head (older ones only in chunks). */
  private readonly headCoversFrom = new Map<string, number>();
  private readonly chunkCache = new Map<string, TenantSeries>();
  private cutting: Promise<void> | undefined;
  /** Chunk cutting and retention both edit `chunkRefs` across awaits: they run one at a time. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: SeriesStoreOptions) {
    this.wal = new Wal({ dir: opts.walDir, codec: blobWalCodec });
    this.chunkPeriodMs = opts.chunkPeriodMs ?? 2 * 3600_000;
    this.headMs = opts.headMs ?? this.chunkPeriodMs + 3600_000;
  }

  async open(now = Date.now()): Promise<void> {
    const cutoff = now - this.opts.retentionMs;
    for (const tenantId of await this.opts.backend.list(`${METRICS_PREFIX}/`)) {
      const refs = (await this.opts.backend.list(`${METRICS_PREFIX}/${tenantId}/`))
        .map((name) => parseChunkName(tenantId, name))
        .filter((ref): ref is ChunkRef => ref !== undefined)
        .sort((a, b) => a.minMs - b.minMs);
      this.chunkRefs.set(tenantId, refs);
      // Everything after the last cut is in the WAL, so the head (replayed below) covers it.
      this.headCoversFrom.set(tenantId, Math.max(...refs.map((r) => r.maxMs)));
    }
    await this.wal.open(({ record, location }) => {
      if (record.kind !== RECORD_KIND_SAMPLES) return;
      let batch: SampleBatch;
      try {
        batch = decodeWalBatch(record.data);
      } catch (err) {
        // One record that passed its checksum but does not decode must not stop the start.
        this.opts.logger.warn({ err, tenant: record.tenantId }, 'skipping an undecodable series WAL record');
        return;
      }
      this.load(record.tenantId, batch, undefined);
      this.track(record.tenantId, batch, location);
    });
    for (const tenant of this.tenants.values()) tenant.trim(cutoff);
  }

  /**
   * Adds samples; new series past the tenant's limit are refused and counted, and so are series
   * that cannot be written to the WAL. The rest go to the WAL in records of a few MiB at most.
   */
  append(tenantId: string, batch: SampleBatch, maxNewSeries = Number.POSITIVE_INFINITY): AppendResult {
    const normalized = batch.series.map((s) => ({ ...s, labels: normalizeLabels(s.labels) }));
    // Encoded before anything is kept: a series served from memory but missing from the WAL
    // would vanish at the next start.
    const { encoded, unwritable } = encodeSeriesEach(normalized);
    const loaded = this.load(tenantId, { series: encoded.map((e) => e.series) }, maxNewSeries);
    const accepted = new Set(loaded.accepted.series);
    const records = packWalRecords(encoded.filter((e) => accepted.has(e.series)));
    const result = {
      droppedSeries: loaded.droppedSeries,
      droppedSamples: loaded.droppedSamples,
      overNewSeriesLimit: loaded.overNewSeriesLimit,
      unwritableSeries: unwritable.length,
      unwritableSamples: unwritable.reduce((n, s) => n + sampleCount(s), 0),
    };
    if (records.length === 0) return { ...result, durable: Promise.resolve() };
    const { locations, durable } = this.wal.append(
      records.map((r) => ({ kind: RECORD_KIND_SAMPLES, tenantId, data: r.data })),
    );
    for (const [i, r] of records.entries()) this.track(tenantId, r.batch, locations[i]);
    return { ...result, durable };
  }

  /** The in-memory head of a tenant (recent samples only; see `querier` for a time range). */
  tenant(tenantId: string): TenantSeries | undefined {
    return this.tenants.get(tenantId);
  }

  /** The tenant's series over `[minMs, maxMs]`: the head, plus the stored chunks it needs. */
  async querier(tenantId: string, minMs: number, maxMs: number): Promise<SeriesQuerier> {
    const coversFrom = this.headCoversFrom.get(tenantId) ?? Number.NEGATIVE_INFINITY;
    const chunks: TenantSeries[] = [];
    if (minMs < coversFrom) {
      for (const ref of this.chunkRefs.get(tenantId) ?? []) {
        if (ref.minMs > maxMs || ref.maxMs < minMs) continue;
        const chunk = await this.readChunk(ref);
        if (chunk) chunks.push(chunk);
      }
    }
    return new SeriesQuerier(this.tenants.get(tenantId), chunks);
  }

  private async readChunk(ref: ChunkRef): Promise<TenantSeries | undefined> {
    const cached = this.chunkCache.get(ref.key);
    if (cached) {
      this.chunkCache.delete(ref.key);
      this.chunkCache.set(ref.key, cached);
      return cached;
    }
    let data: Buffer | undefined;
    try {
      data = await this.opts.backend.read(ref.key);
    } catch (err) {
      this.opts.logger.warn({ err, key: ref.key }, 'skipping unreadable series chunk');
      return undefined;
    }
    if (!data) return undefined;
    const series = new TenantSeries();
    for (const s of (await decodeChunk(data)).series) {
      const into = series.getOrCreate(s.labels, () => true)!;
      for (let i = 0; i < s.timestamps.length; i++)
        TenantSeries.appendSample(into, s.timestamps[i], s.values[i]);
      for (const e of s.exemplars ?? []) TenantSeries.appendExemplar(into, e);
    }
    this.chunkCache.set(ref.key, series);
    if (this.chunkCache.size > CHUNK_CACHE_ENTRIES)
      this.chunkCache.delete(this.chunkCache.keys().next().value!);
    return series;
  }

  activeSeries(): Map<string, number> {
    return new Map([...this.tenants].map(([id, t]) => [id, t.size]));
  }

  /** Cuts chunks whose oldest WAL batch is older than the chunk period. */
  async maintain(now: number, force = false): Promise<void> {
    if (this.cutting) return this.cutting;
    this.cutting = this.oneAtATime(() => this.cutChunks(now, force)).finally(() => {
      this.cutting = undefined;
    });
    return this.cutting;
  }

  async close(): Promise<void> {
    await this.cutting;
    await this.wal.close();
  }

  private async cutChunks(now: number, force: boolean): Promise<void> {
    for (const [tenantId, batches] of this.pending) {
      if (batches.length === 0) continue;
      if (!force && now - batches[0].firstMs < this.chunkPeriodMs) continue;
      this.pending.set(tenantId, []);
      const merged = mergeBatches(
        batches.map((b) => b.batch),
        labelsKey,
      );
      const first = Math.min(...batches.map((b) => b.firstMs));
      const ref = newChunkRef(tenantId, first, now);
      try {
        await this.opts.backend.write(ref.key, await encodeChunk(merged));
        const refs = this.chunkRefs.get(tenantId) ?? [];
        refs.push(ref);
        this.chunkRefs.set(tenantId, refs);
        await this.wal.release(batches.map((b) => b.location));
      } catch (err) {
        // Kept in the WAL; the next maintenance retries.
        this.pending.set(tenantId, [...batches, ...(this.pending.get(tenantId) ?? [])]);
        this.opts.logger.error({ err, tenantId }, 'writing a series chunk failed');
      }
    }
    this.trimHeads(now);
  }

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work, work);
    this.serial = run.catch(() => undefined);
    return run;
  }

  /** Drops head samples older than `headMs` that are safely in chunks (never ones still only in the WAL). */
  private trimHeads(now: number): void {
    for (const [tenantId, tenant] of this.tenants) {
      const pendingFirst = Math.min(...(this.pending.get(tenantId) ?? []).map((b) => b.firstMs));
      const cutoff = Math.min(now - this.headMs, pendingFirst);
      // Walking every series is not worth it for less than a minute's samples.
      if (cutoff - (this.headCoversFrom.get(tenantId) ?? Number.NEGATIVE_INFINITY) < 60_000) continue;
      tenant.trim(cutoff);
      this.headCoversFrom.set(tenantId, cutoff);
    }
  }

  /**
   * Drops samples and chunks older than the retention at `now`. Called by the one retention
   * schedule (`server/compactor/retention-schedule.ts`) with the clock every store shares.
   */
  applyRetention(now: number): Promise<void> {
    return this.oneAtATime(() => this.expire(now));
  }

  private async expire(now: number): Promise<void> {
    const cutoff = now - this.opts.retentionMs;
    for (const tenant of this.tenants.values()) tenant.trim(cutoff);
    for (const [tenantId, refs] of this.chunkRefs) {
      const kept: ChunkRef[] = [];
      for (const ref of refs) {
        if (ref.maxMs >= cutoff) {
          kept.push(ref);
          continue;
        }
        this.chunkCache.delete(ref.key);
        await this.opts.backend.delete(ref.key);
      }
      this.chunkRefs.set(tenantId, kept);
    }
  }

  private track(tenantId: string, batch: SampleBatch, location: WalLocation): void {
    let firstMs = Number.POSITIVE_INFINITY;
    for (const s of batch.series) {
      if (s.timestamps.length > 0) firstMs = Math.min(firstMs, s.timestamps[0]);
      if (s.exemplars?.length) firstMs = Math.min(firstMs, s.exemplars[0].timestampMs);
    }
    let list = this.pending.get(tenantId);
    if (!list) {
      list = [];
      this.pending.set(tenantId, list);
    }
    list.push({ batch, location, firstMs: Number.isFinite(firstMs) ? firstMs : Date.now() });
  }

  /** `maxNewSeries` undefined: a WAL replay, which neither limit applies to. */
  private load(tenantId: string, batch: SampleBatch, maxNewSeries: number | undefined): LoadResult {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = new TenantSeries();
      this.tenants.set(tenantId, tenant);
    }
    const t = tenant;
    const accepted: SampleBatch = { series: [] };
    const overTenantLimit = { series: 0, samples: 0 };
    const overNewSeriesLimit = { series: 0, samples: 0 };
    let created = 0;
    let overRequest = false;
    const mayCreate = () => {
      if (maxNewSeries === undefined) return true;
      overRequest = created >= maxNewSeries;
      if (overRequest || t.size >= seriesLimitOf(this.opts.maxSeriesPerTenant, tenantId)) return false;
      created++;
      return true;
    };
    for (const s of batch.series) {
      const series = t.getOrCreate(s.labels, mayCreate);
      if (!series) {
        // Refused at the request's cap or at the tenant's limit: counted apart.
        const refused = overRequest ? overNewSeriesLimit : overTenantLimit;
        refused.series++;
        refused.samples += sampleCount(s);
        continue;
      }
      for (let i = 0; i < s.timestamps.length; i++) {
        TenantSeries.appendSample(series, s.timestamps[i], s.values[i]);
      }
      for (const e of s.exemplars ?? []) TenantSeries.appendExemplar(series, e);
      accepted.series.push(s);
    }
    const { series: droppedSeries, samples: droppedSamples } = overTenantLimit;
    return { accepted, droppedSeries, droppedSamples, overNewSeriesLimit };
  }
}

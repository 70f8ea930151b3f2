import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Backend } from '../store/backend/backend';

/**
 * Where lease generations live. `@` can never start a tenant ID (backend/prefixes.ts), so the
 * folder never clashes with a tenant and the trace blocklist skips it.
 */
export const LEASE_PREFIX = '@compactor-lease/';
/** Zero-padded so a listing's order is the generations' order. */
const GENERATION_DIGITS = 20;
export const LEASE_DEFAULT_DURATION_MS = 60_000;

export interface LeaseHolder {
  owner: string;
  /** Unix ms. */
  expiresAt: number;
}

/** One generation's object: JSON, readable by an operator looking at the bucket. */
interface LeaseRecord {
  owner: string;
  /** The holder's machine and pid namespace (`localHost()`), and its pid there. */
  host: string;
  pid: number;
  acquiredAt: string;
  expiresAt: string;
}

/** A generation as read back: its holder, and where that holder runs. */
type ReadLease = LeaseHolder & { host?: string; pid?: number };

export interface CompactorLeaseOptions {
  backend: Backend;
  /** How long a lease lasts without renewal; renewed every third of it. */
  durationMs?: number;
  /** Who this process is; hostname/pid/random by default, unique per start. */
  owner?: string;
  /** Wall clock (unix ms): leases are compared across processes, so clocks must roughly agree. */
  now?: () => number;
  /** Renews in the background every `durationMs / 3` while held (on by default). */
  autoRenew?: boolean;
  logger?: { warn(details: object, message: string): void };
}

/**
 * Lets one compactor at a time work on a bucket, with nothing but conditional creates.
 *
 * Each acquisition or renewal creates the object `@compactor-lease/<generation>` with
 * `writeIfAbsent`; the holder is the owner of the highest generation, while its `expiresAt` is
 * in the future. Anyone who finds no valid lease races to create the next generation, and the
 * store lets exactly one create succeed. The holder renews by creating the next generation
 * itself: if someone else got there first (its lease had expired), it has lost the lease and
 * learns so right there. Older generations are deleted after each renewal.
 *
 * A holder that died on this machine (kill -9, OOM) is seen as gone at once (`diedHere`).
 *
 * A holder that stalls past its expiry (a long GC pause, a frozen VM) may briefly work beside
 * the compactor that took over; compaction tolerates that (duplicate spans are dropped by
 * queries), the lease just makes it rare.
 */
export class CompactorLease {
  readonly owner: string;
  readonly durationMs: number;
  private readonly backend: Backend;
  private readonly clock: () => number;
  private readonly autoRenew: boolean;
  private readonly logger?: CompactorLeaseOptions['logger'];
  /** The generation this process holds, while it believes it does. */
  private mine: { generation: number; expiresAt: number } | undefined;
  /** The holder last seen (this process or another). */
  private seen: LeaseHolder | undefined;
  private pending: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((held: boolean) => void)[] = [];

  constructor(options: CompactorLeaseOptions) {
    this.backend = options.backend;
    this.durationMs = options.durationMs ?? LEASE_DEFAULT_DURATION_MS;
    if (!(this.durationMs > 0)) throw new RangeError('lease duration must be above zero');
    this.owner = options.owner ?? `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
    this.clock = options.now ?? Date.now;
    this.autoRenew = options.autoRenew ?? true;
    this.logger = options.logger;
  }

  /** Told whenever this process gains or loses the lease. */
  onChange(listener: (held: boolean) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Makes sure this process holds the lease: true when it does (acquired, renewed, or held and
   * not yet due for renewal, which costs no request). Concurrent calls share one attempt, so
   * this process never races itself for a generation.
   */
  tryAcquire(now = this.clock()): Promise<boolean> {
    this.pending ??= this.acquire(now).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Whether this process holds an unexpired lease, by its own last knowledge (no request). */
  holds(now = this.clock()): boolean {
    return this.mine !== undefined && this.mine.expiresAt > now;
  }

  /** Who held the lease when last looked at, this process included; undefined when nobody did. */
  holder(): LeaseHolder | undefined {
    return this.seen;
  }

  /** Gives the lease up at once (deletes its generation), so another compactor can take over. */
  async release(): Promise<void> {
    clearTimeout(this.timer);
    await this.pending?.catch(() => {});
    // The attempt under way may have scheduled the next renewal.
    clearTimeout(this.timer);
    const mine = this.mine;
    if (!mine) return;
    this.setMine(undefined);
    this.seen = undefined;
    if (mine.expiresAt <= this.clock()) return;
    // Only ever our own object: after an expiry, a generation number may have been reused.
    const key = generationKey(mine.generation);
    if ((await this.readRecord(mine.generation))?.owner === this.owner) await this.backend.delete(key);
  }

  private async acquire(now: number): Promise<boolean> {
    // Renewed once a third of the lease has passed: two more chances before it expires.
    if (this.mine && this.mine.expiresAt - now > (this.durationMs * 2) / 3) return true;
    try {
      return await this.contend(now);
    } catch (err) {
      // The store failed, not the lease: it is ours until it expires, renewal is tried again.
      if (this.holds(now)) {
        this.logger?.warn(
          { err, expiresAt: new Date(this.mine?.expiresAt ?? 0) },
          'renewing the compactor lease failed',
        );
        return true;
      }
      throw err;
    }
  }

  private async contend(now: number): Promise<boolean> {
    const top = (await this.generations()).at(-1);
    const current = top === undefined ? undefined : await this.readRecord(top);
    if (current && current.owner !== this.owner && current.expiresAt > now && !diedHere(current)) {
      return this.lose(current);
    }
    // None, expired, released (gone), unreadable or ours: the next generation goes to one writer.
    const next = (top ?? 0) + 1;
    const expiresAt = now + this.durationMs;
    const record: LeaseRecord = {
      owner: this.owner,
      host: localHost(),
      pid: process.pid,
      acquiredAt: new Date(now).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
    };
    if (!(await this.backend.writeIfAbsent(generationKey(next), Buffer.from(JSON.stringify(record))))) {
      const winner = await this.readRecord(next);
      return this.lose(winner && winner.expiresAt > now ? winner : undefined);
    }
    // Cleanup deletes old generations, so one written from an old listing can land in a gap
    // below the real top: only the highest counts, so look again before believing in it.
    const after = await this.generations();
    const highest = after.at(-1) ?? next;
    if (highest !== next) {
      await this.backend.delete(generationKey(next)).catch(() => {});
      const above = await this.readRecord(highest);
      return this.lose(above && above.expiresAt > now ? above : undefined);
    }
    this.setMine({ generation: next, expiresAt });
    this.seen = { owner: this.owner, expiresAt };
    for (const old of after.filter((g) => g < next)) {
      await this.backend.delete(generationKey(old)).catch(() => {}); // the next renewal retries
    }
    this.scheduleRenewal();
    return true;
  }

  private lose(holder: LeaseHolder | undefined): false {
    clearTimeout(this.timer);
    this.setMine(undefined);
    this.seen = holder && { owner: holder.owner, expiresAt: holder.expiresAt };
    return false;
  }

  private setMine(mine: typeof this.mine): void {
    const was = this.mine !== undefined;
    this.mine = mine;
    if (was !== (mine !== undefined)) for (const listener of this.listeners) listener(!was);
  }

  private scheduleRenewal(): void {
    if (!this.autoRenew) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.tryAcquire().catch((err) => this.logger?.warn({ err }, 'renewing the compactor lease failed'));
    }, this.durationMs / 3);
    // A lease alone must not keep the process alive.
    this.timer.unref();
  }

  private async generations(): Promise<number[]> {
    const names = await this.backend.list(LEASE_PREFIX);
    return names
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The generation's holder; undefined when it is gone or not a lease (treated as expired). */
  private async readRecord(generation: number): Promise<ReadLease | undefined> {
    const bytes = await this.backend.read(generationKey(generation));
    if (!bytes) return undefined;
    try {
      const record = JSON.parse(bytes.toString('utf8')) as Partial<LeaseRecord>;
      const expiresAt = Date.parse(String(record.expiresAt));
      if (typeof record.owner !== 'string' || Number.isNaN(expiresAt)) return undefined;
      return { owner: record.owner, expiresAt, host: record.host, pid: record.pid };
    } catch {
      return undefined;
    }
  }
}

function generationKey(generation: number): string {
  return `${LEASE_PREFIX}${String(generation).padStart(GENERATION_DIGITS, '0')}`;
}

let host: string | undefined;

/**
 * This machine's boot and this process's pid namespace (Linux), '' where they cannot be read:
 * two processes with the same value see the same pids, so one can tell whether the other lives.
 */
export function localHost(): string {
  if (host === undefined) {
    try {
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      host = `${bootId}/${readlinkSync('/proc/self/ns/pid')}`;
    } catch {
      host = '';
    }
  }
  return host;
}

/**
 * Whether the lease's holder is a process of this machine (and pid namespace) that no longer
 * exists: killed or crashed without releasing. A compactor restarted on the same machine then
 * takes over at once instead of waiting out the lease. A reused pid only makes it wait.
 */
function diedHere(lease: ReadLease): boolean {
  const { pid } = lease;
  if (localHost() === '' || lease.host !== localHost() || pid === undefined) return false;
  if (!Number.isSafeInteger(pid) || pid <= 0) return false; // 0 and below name process groups
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

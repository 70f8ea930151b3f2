import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { DIR_NAME, FILE_NAME, fileNameOf, folderOf, headerFor, TMP_NAME, unwrap } from './disk-cache-layout';

/** Hits refresh a file's mtime (its recency after a restart) at most this often. */
const TOUCH_EVERY_MS = 60_000;

export interface ByteRange {
  offset: number;
  length: number;
}

export interface DiskCacheOptions {
  dir: string;
  /** Bytes of files kept at most. */
  maxBytes: number;
  /** Told of each file removed to stay under the bound. */
  onEvict?: () => void;
  /** Told of the bytes held after each change. */
  onBytes?: (bytes: number) => void;
}

interface FileEntry {
  bytes: number;
  touchedAt: number;
}

/**
 * A byte-bounded local-disk tier that outlives the process: on open, what the folder holds is
 * counted again (recency from mtimes). Writes go to a temporary file renamed into place, so a
 * crash leaves a whole file or none; nothing is fsynced, since a torn file is caught by its CRC.
 * Only files named as this cache names them are ever counted or removed.
 */
export class DiskCache {
  // Insertion order is recency order, oldest first, as in ByteLru.
  private readonly files = new Map<string, FileEntry>();
  /** The files of each folder, so deleting a key or a block looks at its own folder only. */
  private readonly folders = new Map<string, Set<string>>();
  private total = 0;
  /** Deletions made while writes were under way: each write checks those since it began. */
  private deletionLog: { seq: number; keyOrPrefix: string }[] = [];
  private deletionSeq = 0;
  /** The deletion count each write under way began at (how many writes began there). */
  private readonly writeStarts = new Map<number, number>();
  private readonly background = new Set<Promise<unknown>>();

  private constructor(private readonly options: DiskCacheOptions) {}

  /** Opens (creating) the folder and counts what it holds; refuses a folder it cannot use. */
  static async open(options: DiskCacheOptions): Promise<DiskCache> {
    const cache = new DiskCache(options);
    await mkdir(options.dir, { recursive: true });
    const found: { path: string; bytes: number; mtimeMs: number }[] = [];
    await cache.scan('', found);
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const file of found) cache.index(file.path, file.bytes, file.mtimeMs);
    cache.evictPastBound();
    options.onBytes?.(cache.total);
    return cache;
  }

  get bytes(): number {
    return this.total;
  }

  get fileCount(): number {
    return this.files.size;
  }

  /** The cached bytes, or undefined: never cached, evicted, removed, or failing its checks. */
  async get(key: string, range?: ByteRange): Promise<Buffer | undefined> {
    const { path, tag } = this.locate(key, range);
    const entry = this.files.get(path);
    if (!entry) return undefined;
    try {
      const file = await readFile(join(this.options.dir, path));
      const payload = unwrap(file, tag);
      if (!payload) throw new Error('corrupt cache file');
      if (this.files.get(path) === entry) {
        this.files.delete(path);
        this.files.set(path, entry);
      }
      const now = Date.now();
      if (now - entry.touchedAt > TOUCH_EVERY_MS) {
        entry.touchedAt = now;
        this.track(utimes(join(this.options.dir, path), now / 1000, now / 1000));
      }
      return payload;
    } catch {
      if (this.files.get(path) === entry) this.forget(path, true);
      return undefined;
    }
  }

  /** Stores bytes for a key (and range); failures only mean a later miss, so they are swallowed. */
  put(key: string, range: ByteRange | undefined, payload: Uint8Array): Promise<void> {
    return this.track(this.write(key, range, payload));
  }

  /** Removes what is cached for a key, or for everything under a prefix ending in `/`. */
  async delete(keyOrPrefix: string): Promise<void> {
    this.deletionSeq++;
    if (this.writeStarts.size > 0) this.deletionLog.push({ seq: this.deletionSeq, keyOrPrefix });
    const isPrefix = keyOrPrefix.endsWith('/');
    const segments = (isPrefix ? keyOrPrefix.slice(0, -1) : keyOrPrefix).split('/');
    if (isPrefix) {
      const folder = folderOf(segments);
      for (const [name, paths] of [...this.folders]) {
        if (name !== folder && !name.startsWith(join(folder, '/'))) continue;
        for (const path of paths) this.forget(path, false);
      }
      await removeFolder(join(this.options.dir, folder));
      return;
    }
    const base = this.locate(keyOrPrefix).path;
    const removals: Promise<unknown>[] = [];
    for (const path of this.folders.get(join(base, '..')) ?? []) {
      if (path === base || path.startsWith(`${base}-`)) removals.push(this.forget(path, true));
    }
    await Promise.all(removals);
  }

  /** Resolves once background writes and removals have finished (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private locate(key: string, range?: ByteRange): { path: string; tag: string } {
    const tag = range ? `${key}\u0000${range.offset}+${range.length}` : key;
    return { path: join(folderOf(key.split('/').slice(0, -1)), fileNameOf(key, range)), tag };
  }

  private async write(key: string, range: ByteRange | undefined, payload: Uint8Array): Promise<void> {
    const { path, tag } = this.locate(key, range);
    const header = headerFor(tag, payload);
    const bytes = header.length + payload.length;
    if (bytes > this.options.maxBytes) return;
    const seqAtStart = this.deletionSeq;
    this.writeStarts.set(seqAtStart, (this.writeStarts.get(seqAtStart) ?? 0) + 1);
    try {
      if (!(await this.writeFile(path, header, payload))) return;
      // A deletion of this key while it was being written: its bytes must not linger.
      if (this.deletionLog.some((d) => d.seq > seqAtStart && deletes(d.keyOrPrefix, key))) {
        await rm(join(this.options.dir, path), { force: true });
        return;
      }
    } finally {
      this.writeDone(seqAtStart);
    }
    this.index(path, bytes, Date.now());
    this.evictPastBound();
    this.options.onBytes?.(this.total);
  }

  /** Forgets deletions no write under way can be concerned with any more. */
  private writeDone(seqAtStart: number): void {
    const left = (this.writeStarts.get(seqAtStart) ?? 1) - 1;
    if (left > 0) this.writeStarts.set(seqAtStart, left);
    else this.writeStarts.delete(seqAtStart);
    const oldest = Math.min(...this.writeStarts.keys());
    this.deletionLog = this.deletionLog.filter((d) => d.seq > oldest);
  }

  /** Writes a temporary file and renames it into place; false when that failed (and left nothing). */
  private async writeFile(path: string, header: Buffer, payload: Uint8Array): Promise<boolean> {
    const target = join(this.options.dir, path);
    const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(join(target, '..'), { recursive: true });
      const handle = await open(tmp, 'wx');
      try {
        await handle.writev([header, payload]);
      } finally {
        await handle.close();
      }
      await rename(tmp, target);
      return true;
    } catch {
      await rm(tmp, { force: true });
      return false;
    }
  }

  private index(path: string, bytes: number, touchedAt: number): void {
    const old = this.files.get(path);
    if (old) {
      this.files.delete(path);
      this.total -= old.bytes;
    } else {
      const folder = join(path, '..');
      const paths = this.folders.get(folder) ?? new Set<string>();
      paths.add(path);
      this.folders.set(folder, paths);
    }
    this.files.set(path, { bytes, touchedAt });
    this.total += bytes;
  }

  private evictPastBound(): void {
    for (const path of this.files.keys()) {
      if (this.total <= this.options.maxBytes) break;
      this.forget(path, true);
      this.options.onEvict?.();
    }
  }

  /** Drops a file from the index (and, when asked, from disk); an emptied block folder goes too. */
  private forget(path: string, removeFile: boolean): Promise<unknown> {
    const entry = this.files.get(path);
    if (!entry) return Promise.resolve();
    this.files.delete(path);
    this.total -= entry.bytes;
    this.options.onBytes?.(this.total);
    const folder = join(path, '..');
    const paths = this.folders.get(folder);
    paths?.delete(path);
    const left = paths?.size ?? 0;
    if (left === 0) this.folders.delete(folder);
    if (!removeFile) return Promise.resolve();
    const full = join(this.options.dir, path);
    // rmdir fails on a folder a concurrent put has just written into, which is what is wanted.
    const removal = unlink(full).then(() => (left > 0 ? undefined : rmdir(join(full, '..'))));
    return this.track(removal.catch(() => {}));
  }

  private track<T>(work: Promise<T>): Promise<void> {
    const done = work.then(
      () => {},
      () => {},
    );
    this.background.add(done);
    void done.finally(() => this.background.delete(done));
    return done;
  }

  /** Collects cache files under `relative`; removes temporary files a crash left, and empty folders. */
  private async scan(
    relative: string,
    found: { path: string; bytes: number; mtimeMs: number }[],
  ): Promise<void> {
    const dir = join(this.options.dir, relative);
    const entries = await readdir(dir, { withFileTypes: true });
    const files: string[] = [];
    for (const entry of entries) {
      const path = join(relative, entry.name);
      if (entry.isDirectory() && DIR_NAME.test(entry.name)) await this.scan(path, found);
      else if (entry.isFile() && relative !== '' && FILE_NAME.test(entry.name)) files.push(path);
      else if (entry.isFile() && TMP_NAME.test(entry.name))
        await rm(join(this.options.dir, path), { force: true });
    }
    // A block folder's files at once: a large cache opens in a few seconds, not one stat at a time.
    const stats = await Promise.all(files.map((path) => stat(join(this.options.dir, path))));
    for (const [i, info] of stats.entries())
      found.push({ path: files[i], bytes: info.size, mtimeMs: info.mtimeMs });
    if (relative !== '' && entries.length === 0) await rmdir(dir).catch(() => {});
  }
}

/** True when `Backend.delete(keyOrPrefix)` covers `key`. */
function deletes(keyOrPrefix: string, key: string): boolean {
  return keyOrPrefix.endsWith('/') ? key.startsWith(keyOrPrefix) : key === keyOrPrefix;
}

/**
 * Removes a folder and everything in it. A write under way may add a file between `rm` listing
 * the folder and removing it (ENOTEMPTY): the removal is tried again, and that write, seeing the
 * deletion in the log, removes its own file (`write`).
 */
async function removeFolder(path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rm(path, { recursive: true, force: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt >= 5) throw err;
    }
  }
}

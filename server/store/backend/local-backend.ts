import { randomBytes } from 'node:crypto';
import { type FileHandle, link, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { type Backend, type BackendCallOptions, BackendKeyError } from './backend';
import { checkRange, keySegments } from './backend-keys';

/**
 * Temporary files live next to their target so the final rename stays on one filesystem.
 * Names ending in this suffix are reserved: refused as keys and hidden from listings, so a
 * half-written object never shows up as a child.
 */
const TMP_SUFFIX = '.loupe-tmp';

/**
 * Backend over a directory of the local filesystem; keys map to paths under `root`. An abort
 * signal is checked before each file operation (and between the chunks of a read or write).
 */
export class LocalBackend implements Backend {
  readonly root: string;
  /**
   * Directories this backend created whose entries are still being fsynced into their parents,
   * by path: a write into one of them (side by side with the write that created it) is durable
   * only once that is done too.
   */
  private readonly dirsSyncing = new Map<string, Promise<void>>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  async read(key: string, { signal }: BackendCallOptions = {}): Promise<Buffer | undefined> {
    const path = this.objectPath(key);
    signal?.throwIfAborted();
    try {
      return await readFile(path, { signal });
    } catch (err) {
      // readFile wraps the reason in its own AbortError; callers get the reason, as from every call.
      signal?.throwIfAborted();
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async readRange(
    key: string,
    offset: number,
    length: number,
    { signal }: BackendCallOptions = {},
  ): Promise<Buffer> {
    checkRange(key, offset, length);
    const path = this.objectPath(key);
    signal?.throwIfAborted();
    const handle = await open(path, 'r');
    try {
      const out = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        signal?.throwIfAborted();
        const { bytesRead } = await handle.read(out, filled, length - filled, offset + filled);
        if (bytesRead === 0) {
          throw new RangeError(`${key} ends before ${offset}+${length} (read ${filled} bytes)`);
        }
        filled += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  async write(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    { signal }: BackendCallOptions = {},
  ): Promise<void> {
    const target = this.objectPath(key);
    const tmp = await this.writeTemp(target, data, signal);
    try {
      // The last point of no return: after the rename the new object is in place.
      signal?.throwIfAborted();
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    // The rename is only durable once the directory entry itself reaches the disk.
    await fsyncDir(dirname(target));
    await this.dirsDurable(dirname(target));
  }

  async writeIfAbsent(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    { signal }: BackendCallOptions = {},
  ): Promise<boolean> {
    const target = this.objectPath(key);
    const tmp = await this.writeTemp(target, data, signal);
    let created = false;
    try {
      signal?.throwIfAborted();
      // link(2), unlike rename, refuses an existing target (EEXIST) in the same atomic step that
      // creates it, so of concurrent writers, in this process or another, exactly one wins; and
      // the file is complete before it has the final name.
      await link(tmp, target);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await rm(tmp, { force: true });
    }
    if (created) {
      await fsyncDir(dirname(target));
      await this.dirsDurable(dirname(target));
    }
    return created;
  }

  async list(prefix: string, { signal }: BackendCallOptions = {}): Promise<string[]> {
    const dir = prefix === '' || prefix === '/' ? this.root : this.pathFor(prefix, true);
    signal?.throwIfAborted();
    try {
      const names = await readdir(dir);
      return names.filter((name) => !name.endsWith(TMP_SUFFIX)).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  async delete(keyOrPrefix: string, { signal }: BackendCallOptions = {}): Promise<void> {
    const isPrefix = keyOrPrefix.endsWith('/');
    const path = isPrefix ? this.pathFor(keyOrPrefix, true) : this.objectPath(keyOrPrefix);
    signal?.throwIfAborted();
    // Only a prefix removes a folder: a key naming a folder must not take its contents with it.
    await rm(path, { recursive: isPrefix, force: true });
  }

  private objectPath(key: string): string {
    return this.pathFor(key, false);
  }

  /** Validates a key (or a `/`-terminated prefix) and maps it to a path under the root. */
  private pathFor(key: string, isPrefix: boolean): string {
    const segments = keySegments(key, isPrefix);
    // Temporary files are hidden from listings, so their names can never be keys either.
    const tmp = segments.find((segment) => segment.endsWith(TMP_SUFFIX));
    if (tmp !== undefined) {
      throw new BackendKeyError(`invalid key segment ${JSON.stringify(tmp)} in ${JSON.stringify(key)}`);
    }
    const path = join(this.root, ...segments);
    // Defence in depth: the checks above should make escaping impossible, this makes it certain.
    if (!path.startsWith(this.root + sep)) {
      throw new BackendKeyError(`key escapes the backend root: ${JSON.stringify(key)}`);
    }
    return path;
  }

  /** Writes `data` to a synced temporary file beside `target` (same filesystem) and returns its path. */
  private async writeTemp(
    target: string,
    data: Uint8Array | readonly Uint8Array[],
    signal: AbortSignal | undefined,
  ): Promise<string> {
    signal?.throwIfAborted();
    await this.makeDirDurably(dirname(target));
    const tmp = `${target}.${randomBytes(6).toString('hex')}${TMP_SUFFIX}`;
    signal?.throwIfAborted();
    const handle = await open(tmp, 'wx');
    try {
      try {
        const chunks = data instanceof Uint8Array ? [data] : data;
        for (const chunk of chunks) {
          signal?.throwIfAborted();
          await writeAll(handle, chunk);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return tmp;
  }

  /**
   * mkdir -p, then fsync each newly created directory's parent so the new entries survive a crash.
   * Writes into the same folder at once (the objects of one block) share one attempt: the ones
   * that would find the folder already made wait until its entry is durable, as its maker does.
   */
  private makeDirDurably(dir: string): Promise<void> {
    const pending = this.dirsSyncing.get(dir);
    if (pending) return pending;
    const made: Promise<void> = this.createDirDurably(dir).finally(() => {
      if (this.dirsSyncing.get(dir) === made) this.dirsSyncing.delete(dir);
    });
    this.dirsSyncing.set(dir, made);
    return made;
  }

  private async createDirDurably(dir: string): Promise<void> {
    const firstCreated = await mkdir(dir, { recursive: true });
    if (firstCreated === undefined) return;
    let current = dir;
    const created: string[] = [];
    while (current.length >= firstCreated.length) {
      created.push(current);
      current = dirname(current);
    }
    const synced = (async () => {
      for (const path of [...created].reverse()) await fsyncDir(dirname(path));
    })();
    // The folders above `dir` it created, for writes into other new folders under them.
    const above = created.slice(1);
    for (const path of above) this.dirsSyncing.set(path, synced);
    try {
      await synced;
    } finally {
      for (const path of above) if (this.dirsSyncing.get(path) === synced) this.dirsSyncing.delete(path);
    }
  }

  /**
   * Waits until the folders above `dir` are durable where another write of this backend created
   * them and is still fsyncing their entries (two new blocks of a new tenant written at once).
   * Called once this write's own steps are done: a write that created them has said so by then.
   */
  private async dirsDurable(dir: string): Promise<void> {
    if (this.dirsSyncing.size === 0) return;
    for (let current = dir; ; current = dirname(current)) {
      await this.dirsSyncing.get(current);
      if (dirname(current) === current) return;
    }
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let written = 0;
  while (written < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written);
    written += bytesWritten;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalBackend } from './local-backend';

/** Every directory `open`ed for reading (to fsync it), in order, and whether it was closed (synced) yet. */
const dirSyncs: { path: string; done: boolean }[] = [];

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    mkdir: vi.fn(actual.mkdir),
    open: vi.fn(async (path: string, flags?: string) => {
      const handle = await actual.open(path, flags);
      if (flags !== 'r') return handle;
      const record = { path, done: false };
      dirSyncs.push(record);
      // A slow fsync of the tenant folder (where the new block folder's entry is): a write that
      // did not wait for it would finish first.
      if (path.endsWith(`${sep}tenant`)) await new Promise((resolve) => setTimeout(resolve, 50));
      const close = handle.close.bind(handle);
      handle.close = async () => {
        record.done = true;
        await close();
      };
      return handle;
    }),
  };
});

/** Objects of one block written side by side into a folder that does not exist yet. */
describe('LocalBackend, writes side by side into a new folder', () => {
  let root: string;
  let backend: LocalBackend;

  beforeEach(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'loupe-local-concurrent-'));
    backend = new LocalBackend(root);
    await backend.write('tenant/existing', Buffer.from('the tenant folder exists'));
    dirSyncs.length = 0;
    vi.mocked(fs.mkdir).mockClear();
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('creates the folder once, and each write resolves only once the folder entry is durable', async () => {
    const names = ['data', 'index', 'bloom-0', 'bloom-1', 'search.parquet', 'search-summary.json'];
    const resolvedBeforeParentSync: string[] = [];
    await Promise.all(
      names.map(async (name) => {
        await backend.write(`tenant/block/${name}`, Buffer.from(name));
        const parentSync = dirSyncs.find((sync) => sync.path === join(root, 'tenant'));
        if (!parentSync?.done) resolvedBeforeParentSync.push(name);
      }),
    );

    expect(vi.mocked(fs.mkdir)).toHaveBeenCalledTimes(1);
    expect(resolvedBeforeParentSync).toEqual([]);
    expect(await backend.list('tenant/block/')).toEqual([...names].sort());
    for (const name of names) expect((await backend.read(`tenant/block/${name}`))?.toString()).toBe(name);
  });
});

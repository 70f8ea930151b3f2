import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendKeyError } from './backend';
import { LocalBackend } from './local-backend';

let root: string;
let backend: LocalBackend;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'loupe-local-backend-'));
  // The backend root is one level down, so a successful escape would land somewhere we can see.
  backend = new LocalBackend(join(root, 'store'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('LocalBackend', () => {
  it('writes, reads, lists and deletes objects', async () => {
    await backend.write('t1/b1/meta.json', Buffer.from('{"a":1}'));
    await backend.write('t1/b1/data', [Buffer.from('hello '), Buffer.from('world')]);

    expect((await backend.read('t1/b1/data'))?.toString()).toBe('hello world');
    expect(await backend.list('')).toEqual(['t1']);
    expect(await backend.list('t1/')).toEqual(['b1']);
    expect(await backend.list('t1/b1/')).toEqual(['data', 'meta.json']);

    await backend.delete('t1/b1/meta.json');
    expect(await backend.read('t1/b1/meta.json')).toBeUndefined();
    await backend.delete('t1/');
    expect(await backend.list('')).toEqual([]);
  });

  it('treats missing objects and directories as absent', async () => {
    expect(await backend.read('nobody/nothing')).toBeUndefined();
    expect(await backend.list('nobody/')).toEqual([]);
    await expect(backend.delete('nobody/nothing')).resolves.toBeUndefined();
    await expect(backend.delete('nobody/')).resolves.toBeUndefined();
    await expect(backend.readRange('nobody/nothing', 0, 1)).rejects.toThrow();
  });

  it('reads byte ranges and refuses ranges past the end', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    await backend.write('t/b/data', data);

    expect(await backend.readRange('t/b/data', 100, 50)).toEqual(data.subarray(100, 150));
    expect(await backend.readRange('t/b/data', 990, 10)).toEqual(data.subarray(990));
    expect((await backend.readRange('t/b/data', 10, 0)).length).toBe(0);
    await expect(backend.readRange('t/b/data', 995, 10)).rejects.toThrow(RangeError);
    await expect(backend.readRange('t/b/data', -1, 10)).rejects.toThrow(RangeError);
  });

  it.each([
    '../outside',
    'a/../../outside',
    './a',
    'a/./b',
    '/etc/passwd',
    'a//b',
    'a/',
    '',
    'a\\..\\b',
    'a/b\0c',
    '..',
    '.',
  ])('refuses the key %j', async (key) => {
    await expect(backend.write(key, Buffer.from('x'))).rejects.toBeInstanceOf(BackendKeyError);
    await expect(backend.read(key)).rejects.toBeInstanceOf(BackendKeyError);
    await expect(backend.readRange(key, 0, 1)).rejects.toBeInstanceOf(BackendKeyError);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses prefixes that escape the root, for listing and deleting', async () => {
    await writeFile(join(root, 'precious'), 'keep me');
    for (const prefix of ['../', '../store/../', './', 'a/../../']) {
      await expect(backend.list(prefix)).rejects.toBeInstanceOf(BackendKeyError);
      await expect(backend.delete(prefix)).rejects.toBeInstanceOf(BackendKeyError);
    }
    // Deleting the whole root by accident is refused too.
    await expect(backend.delete('/')).rejects.toBeInstanceOf(BackendKeyError);
    await expect(backend.delete('')).rejects.toBeInstanceOf(BackendKeyError);
    expect(await readdir(root)).toEqual(['precious']);
  });

  it.each(["a'b(c)*!", 'tenant-1_x.y', 'with space', 'ünïcödé', '-leading-dash', '...dots'])(
    'stores blocks of the tenant %j',
    async (tenant) => {
      await backend.write(`${tenant}/block/meta.json`, Buffer.from(tenant));
      expect(await backend.list('')).toEqual([tenant]);
      expect((await backend.read(`${tenant}/block/meta.json`))?.toString()).toBe(tenant);
      await backend.delete(`${tenant}/`);
      expect(await backend.list('')).toEqual([]);
    },
  );

  it('replaces an object whole and leaves no temporary files behind', async () => {
    await backend.write('t/b/data', Buffer.alloc(100_000, 1));
    await backend.write('t/b/data', Buffer.alloc(10, 2));

    expect(await backend.read('t/b/data')).toEqual(Buffer.alloc(10, 2));
    expect(await readdir(join(root, 'store/t/b'))).toEqual(['data']);
  });

  it('never exposes a partly written object to concurrent readers', async () => {
    const big = (fill: number) => Buffer.alloc(2_000_000, fill);
    await backend.write('t/b/data', big(1));
    const writes = [2, 3, 4].map((fill) => backend.write('t/b/data', big(fill)));
    const seen: Buffer[] = [];
    const reads = Array.from({ length: 20 }, async () => {
      const data = await backend.read('t/b/data');
      if (data) seen.push(data);
    });
    await Promise.all([...writes, ...reads]);

    for (const data of seen) {
      expect(data.length).toBe(2_000_000);
      expect(data.every((byte) => byte === data[0])).toBe(true);
    }
    expect(await backend.list('t/b/')).toEqual(['data']);
  });

  it('hides leftover temporary files from listings', async () => {
    await backend.write('t/b/data', Buffer.from('x'));
    // What a crash between creating the temporary file and renaming it leaves behind.
    await writeFile(join(root, 'store/t/b/data.abc123.loupe-tmp'), 'partial');

    expect(await backend.list('t/b/')).toEqual(['data']);
    await expect(backend.read('t/b/data.abc123.loupe-tmp')).rejects.toBeInstanceOf(BackendKeyError);
  });
});

import { type Backend, BackendKeyError } from './backend';

/** Keys every backend refuses: each could reach outside the backend's root on some store. */
export const REFUSED_KEYS = [
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
];

/**
 * The behaviour every `Backend` promises, as a Vitest suite: a new backend (S3, a cache in front
 * of one) runs it from its own test file and passes it before anything stores blocks in it.
 *
 *   describeBackendContract('LocalBackend', async () => {
 *     const dir = await mkdtemp(join(tmpdir(), 'x-'));
 *     return { backend: new LocalBackend(dir), cleanup: () => rm(dir, { recursive: true }) };
 *   });
 *
 * `makeBackend` is called before each test and must return an empty backend.
 */
export interface BackendUnderTest {
  backend: Backend;
  cleanup?: () => Promise<void>;
}

export function describeBackendContract(name: string, makeBackend: () => Promise<BackendUnderTest>): void {
  describe(`${name} (backend contract)`, () => {
    let backend: Backend;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ backend, cleanup } = await makeBackend());
    });

    afterEach(async () => {
      await cleanup?.();
    });

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

    it('replaces an object whole on overwrite', async () => {
      await backend.write('t/b/data', Buffer.alloc(100_000, 1));
      await backend.write('t/b/data', Buffer.alloc(10, 2));

      expect(await backend.read('t/b/data')).toEqual(Buffer.alloc(10, 2));
      expect(await backend.list('t/b/')).toEqual(['data']);
    });

    it('creates an object only when none is there, and never overwrites one', async () => {
      expect(await backend.writeIfAbsent('t/lease/1', [Buffer.from('first '), Buffer.from('writer')])).toBe(
        true,
      );
      expect((await backend.read('t/lease/1'))?.toString()).toBe('first writer');

      expect(await backend.writeIfAbsent('t/lease/1', Buffer.from('second writer'))).toBe(false);
      expect((await backend.read('t/lease/1'))?.toString()).toBe('first writer');
      // A plain write made the object too: it counts as there.
      await backend.write('t/lease/2', Buffer.from('plain'));
      expect(await backend.writeIfAbsent('t/lease/2', Buffer.from('conditional'))).toBe(false);
      expect((await backend.read('t/lease/2'))?.toString()).toBe('plain');
      // Deleted, the key is free again; nothing half-written is left in the listing.
      await backend.delete('t/lease/1');
      expect(await backend.writeIfAbsent('t/lease/1', Buffer.from('third writer'))).toBe(true);
      expect((await backend.read('t/lease/1'))?.toString()).toBe('third writer');
      expect(await backend.list('t/lease/')).toEqual(['1', '2']);
    });

    it('lets exactly one of many concurrent creates of one key win, with its whole content', async () => {
      for (const round of [1, 2, 3]) {
        const key = `t/lease/${round}`;
        const contents = Array.from({ length: 12 }, (_, i) => Buffer.alloc(50_000 + i, i + 1));
        const won = await Promise.all(contents.map((data) => backend.writeIfAbsent(key, data)));

        expect(won.filter(Boolean)).toHaveLength(1);
        const stored = await backend.read(key);
        expect(stored).toEqual(contents[won.indexOf(true)]);
      }
      expect(await backend.list('t/lease/')).toEqual(['1', '2', '3']);
    });

    it('refuses a create whose signal is already aborted, and creates nothing', async () => {
      const reason = new Error('stopping');
      await expect(
        backend.writeIfAbsent('t/b/lease', Buffer.from('x'), { signal: AbortSignal.abort(reason) }),
      ).rejects.toBe(reason);
      expect(await backend.read('t/b/lease')).toBeUndefined();
      expect(await backend.list('t/b/')).toEqual([]);
    });

    it.each(REFUSED_KEYS)('refuses the key %j', async (key) => {
      await expect(backend.write(key, Buffer.from('x'))).rejects.toBeInstanceOf(BackendKeyError);
      await expect(backend.writeIfAbsent(key, Buffer.from('x'))).rejects.toBeInstanceOf(BackendKeyError);
      await expect(backend.read(key)).rejects.toBeInstanceOf(BackendKeyError);
      await expect(backend.readRange(key, 0, 1)).rejects.toBeInstanceOf(BackendKeyError);
      expect(await backend.list('')).toEqual([]);
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

    it('never exposes a partly written object to concurrent writers and readers', async () => {
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
      const last = await backend.read('t/b/data');
      expect([2, 3, 4]).toContain(last?.[0]);
      expect(last?.every((byte) => byte === last[0])).toBe(true);
      expect(await backend.list('t/b/')).toEqual(['data']);
    });

    it('refuses every call whose signal is already aborted, with its reason, and changes nothing', async () => {
      await backend.write('t/b/data', Buffer.from('kept'));
      const reason = new Error('query cancelled');
      const options = { signal: AbortSignal.abort(reason) };

      await expect(backend.read('t/b/data', options)).rejects.toBe(reason);
      await expect(backend.readRange('t/b/data', 0, 2, options)).rejects.toBe(reason);
      await expect(backend.write('t/b/data', Buffer.from('lost'), options)).rejects.toBe(reason);
      await expect(backend.write('t/b/other', Buffer.from('lost'), options)).rejects.toBe(reason);
      await expect(backend.list('t/b/', options)).rejects.toBe(reason);
      await expect(backend.delete('t/b/data', options)).rejects.toBe(reason);
      await expect(backend.delete('t/', options)).rejects.toBe(reason);

      expect((await backend.read('t/b/data'))?.toString()).toBe('kept');
      expect(await backend.list('t/b/')).toEqual(['data']);
    });

    it('leaves the old object or the whole new one when a write is aborted part-way', async () => {
      await backend.write('t/b/data', Buffer.alloc(1000, 1));
      const controller = new AbortController();
      const chunks = Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 2));
      const write = backend.write('t/b/data', chunks, { signal: controller.signal });
      setImmediate(() => controller.abort());
      await write.catch((err: unknown) => expect(err).toMatchObject({ name: 'AbortError' }));

      const data = await backend.read('t/b/data');
      expect([1000, 64 * 64 * 1024]).toContain(data?.length);
      expect(data?.every((byte) => byte === data[0])).toBe(true);
      expect(await backend.list('t/b/')).toEqual(['data']);
    });
  });
}

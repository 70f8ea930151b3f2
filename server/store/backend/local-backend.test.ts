import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendKeyError } from './backend';
import { describeBackendContract, REFUSED_KEYS } from './backend-contract';
import { LocalBackend } from './local-backend';

describeBackendContract('LocalBackend', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loupe-local-backend-'));
  return { backend: new LocalBackend(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

/** What only a filesystem backend can show: nothing lands outside the root, no temporary files linger. */
describe('LocalBackend on disk', () => {
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

  it.each(REFUSED_KEYS)('refuses the key %j', async (key) => {
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

  it('replaces an object whole and leaves no temporary files behind', async () => {
    await backend.write('t/b/data', Buffer.alloc(100_000, 1));
    await backend.write('t/b/data', Buffer.alloc(10, 2));

    expect(await backend.read('t/b/data')).toEqual(Buffer.alloc(10, 2));
    expect(await readdir(join(root, 'store/t/b'))).toEqual(['data']);
  });

  it('removes its temporary file when a write is aborted part-way', async () => {
    await backend.write('t/b/data', Buffer.from('old'));
    const controller = new AbortController();
    // Aborts once the first chunk is in the temporary file: the write checks before each chunk.
    const chunks: Buffer[] = [];
    Object.defineProperty(chunks, Symbol.iterator, {
      *value() {
        yield Buffer.from('ne');
        controller.abort();
        yield Buffer.from('w');
      },
    });
    await expect(backend.write('t/b/data', chunks, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });

    expect((await backend.read('t/b/data'))?.toString()).toBe('old');
    expect(await readdir(join(root, 'store/t/b'))).toEqual(['data']);
  });

  it('hides leftover temporary files from listings', async () => {
    await backend.write('t/b/data', Buffer.from('x'));
    // What a crash between creating the temporary file and renaming it leaves behind.
    await writeFile(join(root, 'store/t/b/data.abc123.loupe-tmp'), 'partial');

    expect(await backend.list('t/b/')).toEqual(['data']);
    await expect(backend.read('t/b/data.abc123.loupe-tmp')).rejects.toBeInstanceOf(BackendKeyError);
  });
});

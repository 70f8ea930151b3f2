import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStorageConfig } from '../store-config';
import { createBackend } from './create-backend';
import { BackendPool } from './pool';

describe('createBackend', () => {
  it('builds the local backend at the blocks root, inside the bounded pool', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-create-backend-'));
    try {
      const values: Record<string, unknown> = { 'storage.trace.local.path': join(dir, 'blocks') };
      const config = buildStorageConfig((path, fallback) =>
        path in values ? (values[path] as typeof fallback) : fallback,
      );
      const backend = createBackend(config);

      expect(backend).toBeInstanceOf(BackendPool);
      await backend.write('t/b/meta.json', Buffer.from('{}'));
      expect(await readFile(join(dir, 'blocks/t/b/meta.json'), 'utf8')).toBe('{}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { LocalBackend } from '../../store/backend/local-backend';
import { tempDataDir } from '../../testing/test-config';
import { LogStore } from './log-store';

/** Helpers shared by the tests of the logs store and its queries. */

const silent = { warn() {}, error() {}, info() {} };

/**
 * Opens log stores (chunks of up to 1 MiB and an hour, the given retention) on fresh temp data
 * dirs named `<prefix>…`, each dir removed after the test that opened it: call at the top level
 * of a test file and call what it returns inside tests.
 */
export function tempLogStores(prefix: string): (retentionMs: number) => Promise<LogStore> {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return async (retentionMs) => {
    const dir = tempDataDir(prefix);
    dirs.push(dir);
    const store = new LogStore({
      backend: new LocalBackend(join(dir, 'blocks')),
      walPath: join(dir, 'wal', 'logs'),
      maxChunkBytes: 1024 * 1024,
      maxChunkAgeMs: 3600_000,
      retentionMs,
      logger: silent,
    });
    await store.open();
    return store;
  };
}

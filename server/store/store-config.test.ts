import { resolve } from 'node:path';
import { parseConfigYaml } from '../config/load-config';
import { ConfigError } from '../config-reader/config-values';

const parse = (text: string) => parseConfigYaml(text, 'test.yaml');
const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('LOUPE_ERR_CONFIG');
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('storage', () => {
  it('refuses the s3 backend for now, clearly', () => {
    expect(errorOf(() => parse('storage:\n  trace:\n    backend: s3\n')).message).toMatch(
      /"s3" is not supported yet/,
    );
  });

  it('refuses a WAL inside the blocks root, and the reverse', () => {
    const walInside =
      'storage:\n  trace:\n    local:\n      path: /data/blocks\n    wal:\n      path: /data/blocks/wal\n';
    expect(errorOf(() => parse(walInside)).message).toMatch(
      /wal.path "\/data\/blocks\/wal" is inside storage.trace.local.path/,
    );
    const blocksInside =
      'storage:\n  trace:\n    local:\n      path: /data/wal/blocks\n    wal:\n      path: /data/wal\n';
    expect(errorOf(() => parse(blocksInside)).message).toMatch(/must be separate folders/);
  });

  it('takes an explicit WAL path, resolves relative paths and reads bloom settings under block:', () => {
    const { storage } = parse(
      'storage:\n  trace:\n    local:\n      path: store/blocks\n    wal:\n      path: /var/loupe/wal\n' +
        '    block:\n      bloom_filter_false_positive: 0.05\n      bloom_filter_shard_size_bytes: 2048\n      version: vParquet4\n',
    ).config;
    expect(storage.localPath).toBe(resolve('store/blocks'));
    expect(storage.walPath).toBe('/var/loupe/wal');
    expect(storage.bloomFalsePositive).toBe(0.05);
    expect(storage.bloomShardSizeBytes).toBe(2048);
  });

  it('gives the WAL its own default, beside a moved blocks root only for the local backend', () => {
    expect(parse('').config.storage.walPath).toBe(resolve('data/wal'));
    expect(parse('storage:\n  trace:\n    local:\n      path: /srv/blocks\n').config.storage.walPath).toBe(
      '/srv/wal',
    );
    const walOnly = parse('storage:\n  trace:\n    wal:\n      path: /var/loupe/wal\n').config.storage;
    expect(walOnly.walPath).toBe('/var/loupe/wal');
    expect(walOnly.localPath).toBe(resolve('data/blocks'));
  });
});

import { resolve } from 'node:path';
import { parseConfigYaml } from '../config/load-config';
import { ConfigError } from '../config-reader/config-values';
import { s3EndpointUrl, usesPathStyle } from './backend/s3-client';

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
  it('takes the s3 backend with its bucket, and refuses gcs and azure, pointing gcs at its S3 API', () => {
    const { storage } = parse('storage:\n  trace:\n    backend: s3\n    s3:\n      bucket: traces\n').config;
    expect(storage.backend).toBe('s3');
    expect(storage.s3?.bucket).toBe('traces');
    expect(errorOf(() => parse('storage:\n  trace:\n    backend: gcs\n')).message).toMatch(
      /backend "gcs" is not supported; use backend: s3 with endpoint storage.googleapis.com/,
    );
    expect(errorOf(() => parse('storage:\n  trace:\n    backend: azure\n')).message).toMatch(
      /"azure" is not supported/,
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

/** A config with `backend` and these lines under `storage.trace.s3`. */
const s3Config = (keys: string, backend = 's3') => {
  const indented = keys
    .split('\n')
    .filter(Boolean)
    .map((line) => `      ${line}`)
    .join('\n');
  return parse(`storage:\n  trace:\n    backend: ${backend}\n    s3:\n${indented}\n`);
};
const messageOf = (fn: () => unknown): string => errorOf(fn).message;

describe('storage.trace.s3', () => {
  it('reads Tempo keys, with Loupe defaults for the rest', () => {
    const { config, warnings } = s3Config(
      'bucket: traces\nendpoint: minio:9000\nregion: eu-west-1\naccess_key: AKIA\nsecret_key: s3cr3t\n' +
        'insecure: true\nforcepathstyle: true\nprefix: /tempo/blocks/\npart_size: 8388608\nhedge_requests_at: 500ms\n' +
        'hedge_requests_up_to: 3\nretry_max_attempts: 5',
    );
    expect(config.storage.s3).toEqual({
      bucket: 'traces',
      endpoint: 'minio:9000',
      region: 'eu-west-1',
      accessKey: 'AKIA',
      secretKey: 's3cr3t',
      sessionToken: undefined,
      insecure: true,
      forcePathStyle: true,
      prefix: 'tempo/blocks/',
      partSizeBytes: 8 * 1024 * 1024,
      hedgeAtMs: 500,
      hedgeUpTo: 3,
    });
    expect(warnings).toContain(
      'config key "storage.trace.s3.retry_max_attempts" is accepted but ignored (not used by the S3 backend)',
    );

    expect(s3Config('bucket: traces').config.storage.s3).toEqual({
      bucket: 'traces',
      endpoint: undefined,
      region: 'us-east-1',
      accessKey: undefined,
      secretKey: undefined,
      sessionToken: undefined,
      insecure: false,
      forcePathStyle: false,
      prefix: '',
      partSizeBytes: 16 * 1024 * 1024,
      hedgeAtMs: 0,
      hedgeUpTo: 2,
    });
  });

  it('needs a bucket, and both keys or neither', () => {
    expect(messageOf(() => s3Config('region: us-east-1'))).toBe(
      'config key "storage.trace.s3.bucket" is required when storage.trace.backend is s3',
    );
    expect(messageOf(() => s3Config('bucket: ""'))).toMatch(
      /"storage.trace.s3.bucket" must be a bucket name/,
    );
    expect(messageOf(() => s3Config('bucket: t\naccess_key: AKIA'))).toMatch(
      /"storage.trace.s3.secret_key" is required when access_key is set/,
    );
    expect(messageOf(() => s3Config('bucket: t\nsecret_key: x'))).toMatch(
      /"storage.trace.s3.access_key" is required when secret_key is set/,
    );
  });

  it('names the key of a value of the wrong type or shape', () => {
    expect(messageOf(() => s3Config('bucket: [a, b]'))).toBe(
      'config key "storage.trace.s3.bucket" must be a string, got a list',
    );
    expect(messageOf(() => s3Config('bucket: my/bucket'))).toMatch(
      /"storage.trace.s3.bucket" must be a bucket name/,
    );
    expect(messageOf(() => s3Config('bucket: t\ninsecure: "yes please"'))).toMatch(
      /"storage.trace.s3.insecure" must be true or false/,
    );
    expect(messageOf(() => s3Config('bucket: t\nendpoint: "ftp://host:21"'))).toMatch(
      /"storage.trace.s3.endpoint" must be host:port/,
    );
    expect(messageOf(() => s3Config('bucket: t\nendpoint: "host:port"'))).toMatch(
      /"storage.trace.s3.endpoint"/,
    );
    expect(messageOf(() => s3Config('bucket: t\nprefix: a/../b'))).toMatch(
      /"storage.trace.s3.prefix" is not a usable key prefix/,
    );
    expect(messageOf(() => s3Config('bucket: t\npart_size: 1024'))).toMatch(
      /"storage.trace.s3.part_size" must be a whole number of bytes from 5 MiB/,
    );
    expect(messageOf(() => s3Config('bucket: t\nsignature: v4'))).toBe(
      'unknown config key "storage.trace.s3.signature" (see docs/configuration.md)',
    );
  });

  it('checks the s3 section even while the backend is local, and only then needs no bucket', () => {
    expect(s3Config('region: eu-west-1', 'local').config.storage.s3).toBeUndefined();
    expect(messageOf(() => s3Config('insecure: 1', 'local'))).toMatch(/"storage.trace.s3.insecure"/);
  });
});

describe('S3 endpoints', () => {
  it('takes host:port as Tempo writes it, with the scheme from insecure, or a URL as it is', () => {
    expect(s3EndpointUrl('minio:9000', true)).toBe('http://minio:9000');
    expect(s3EndpointUrl('s3.eu-west-1.amazonaws.com', false)).toBe('https://s3.eu-west-1.amazonaws.com');
    expect(s3EndpointUrl('https://storage.googleapis.com/', true)).toBe('https://storage.googleapis.com');
    expect(s3EndpointUrl('http://[::1]:7480', false)).toBe('http://[::1]:7480');
  });

  it('uses path-style URLs except for the clouds that serve virtual-hosted ones, as Tempo does', () => {
    const style = (endpoint: string | undefined, forcePathStyle = false) =>
      usesPathStyle({ endpoint, forcePathStyle, insecure: false });
    expect(style(undefined)).toBe(false);
    expect(style('s3.us-east-1.amazonaws.com')).toBe(false);
    expect(style('storage.googleapis.com')).toBe(false);
    expect(style('minio:9000')).toBe(true);
    expect(style('http://127.0.0.1:7480')).toBe(true);
    expect(style('s3.us-east-1.amazonaws.com', true)).toBe(true);
    expect(style(undefined, true)).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ignored, type Section } from '../config-reader/schema-node';
import { DEFAULT_TENANT_LIMITS } from '../tenancy/tenant-limit-keys';
import { CONFIG_SCHEMA } from './config-schema';
import { defaultConfig, parseConfigYaml } from './load-config';

/**
 * docs/configuration.md against the schema the loader walks (`CONFIG_SCHEMA`, composed from each
 * module's own section): every key Loupe reads has a row of its own, with a default and whether
 * Tempo has it, and every key it accepts but ignores is listed as ignored. A key added to a
 * schema without its documentation fails here, and so does a row left behind for a key that
 * was removed or stopped being ignored. Also the Tempo settings docs/migrating.md says are refused.
 */

const readDoc = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)), 'utf8');
const DOC = readDoc('configuration.md');

/** Key paths of the schema: readers (values Loupe uses), sections, and ignored keys. */
function walkSchema(
  section: Section,
  prefix = '',
  out = { read: [] as string[], sections: [] as string[], ignored: [] as string[] },
) {
  for (const [key, node] of Object.entries(section)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (node instanceof Ignored) out.ignored.push(path);
    else if (typeof node === 'function') out.read.push(path);
    else {
      out.sections.push(path);
      walkSchema(node, path, out);
    }
  }
  return out;
}
const schema = walkSchema(CONFIG_SCHEMA);

/** Markdown table rows as cells (a `\|` inside a cell is not a separator). */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

const [keysPart, ignoredPart] = DOC.split(/^## Accepted and ignored$/m);
/** Rows of the key tables: `key | default | Tempo | what it does`. */
const keyRows = tableRows(keysPart).filter((cells) => cells.length === 4 && cells[0] !== 'key');
/** Rows of the ignored table: `section | ignored keys | why`, as full key paths. */
const ignoredListed = tableRows(ignoredPart ?? '')
  .filter((cells) => cells.length === 3 && cells[0] !== 'section')
  .flatMap(([section, keys]) => {
    const parent = section === 'top level' ? '' : `${backticked(section)[0]}.`;
    return backticked(keys).map((key) => parent + key);
  });

describe('docs/configuration.md', () => {
  it('has both parts: the key tables and the ignored keys', () => {
    expect(ignoredPart, 'a "## Accepted and ignored" section').toBeDefined();
    expect(keyRows.length).toBeGreaterThan(100);
    expect(schema.read.length).toBeGreaterThan(100);
  });

  it.each(schema.read)('documents %s with its default and whether Tempo has it', (path) => {
    const row = keyRows.find((cells) => backticked(cells[0]).includes(path));
    expect(row, `a row whose first cell is \`${path}\``).toBeDefined();
    const [, defaultValue, tempo, meaning] = row as string[];
    expect(defaultValue, `${path}: default`).not.toBe('');
    expect(tempo, `${path}: the Tempo column`).toMatch(/^(yes|no)\b/);
    expect(meaning.length, `${path}: what it does`).toBeGreaterThan(10);
  });

  it.each(schema.ignored)('lists %s as accepted and ignored', (path) => {
    expect(ignoredListed).toContain(path);
  });

  it('gives the max_bytes_per_trace default Loupe applies, in both forms', () => {
    const applied = defaultConfig().overrides.maxBytesPerTrace;
    expect(applied).toBe(DEFAULT_TENANT_LIMITS.maxBytesPerTrace);
    for (const key of ['overrides.defaults.global.max_bytes_per_trace', 'overrides.max_bytes_per_trace']) {
      const row = keyRows.find((cells) => backticked(cells[0]).includes(key));
      expect(backticked(row?.[1] ?? '')[0], key).toBe(String(applied));
    }
  });

  it('documents no key the schema does not have', () => {
    const known = new Set([...schema.read, ...schema.sections]);
    // A row may name a part of a key's value (`auth.tenants.<id>.basic`): its key must exist.
    const exists = (path: string) => known.has(path) || schema.read.some((key) => path.startsWith(`${key}.`));
    const documented = keyRows.flatMap((cells) => backticked(cells[0]));
    expect(documented.filter((path) => !exists(path))).toEqual([]);
    expect(ignoredListed.filter((path) => !schema.ignored.includes(path))).toEqual([]);
  });
});

describe('docs/migrating.md', () => {
  const [, refusedPart = ''] = readDoc('migrating.md').split(/^#### Tempo settings Loupe refuses$/m);
  /** Rows `refused | accepted | why`, each setting as `a.b.c: value`. */
  const settings = tableRows(refusedPart.split(/^#/m)[0])
    .filter((cells) => cells.length === 3 && cells[0] !== 'refused')
    .map(([refused, accepted]) => ({ refused: backticked(refused)[0], accepted: backticked(accepted)[0] }));
  /** `a.b.c: value` as the YAML it stands for: a: / b: / c: value. */
  const asYaml = (setting: string) => {
    const [, path, value] = /^([^:]+): (.*)$/.exec(setting) ?? [];
    const keys = path.split('.');
    return `${keys.map((key, depth) => `${'  '.repeat(depth)}${key}:`).join('\n')} ${value}\n`;
  };

  it('lists the Tempo settings Loupe refuses', () => {
    expect(settings.map((row) => row.refused)).toContain('server.http_tls_config.cert_file: /certs/tls.crt');
    expect(settings.length).toBeGreaterThanOrEqual(4);
  });

  it.each(settings)('$refused stops startup naming its key; $accepted starts', ({ refused, accepted }) => {
    // The message names the setting's key, or the section holding it (`server.http_tls_config`).
    const keys = refused.split(':')[0].split('.');
    const named = keys.map((_, n) => `config key "${keys.slice(0, n + 1).join('.')}"`);
    expect(() => parseConfigYaml(asYaml(refused), 'tempo.yaml')).toThrow(
      expect.objectContaining({ message: expect.stringMatching(named.map(escapeRegExp).join('|')) }),
    );
    expect(() => parseConfigYaml(asYaml(accepted), 'tempo.yaml')).not.toThrow();
  });
});

describe('README.md', () => {
  it('gives a receivers config that opens every receiver it names, without a warning', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1])
      .find((yaml) => yaml.includes('zipkin:'));
    expect(block).toBeDefined();
    const { config, warnings } = parseConfigYaml(block!, 'README.md');
    expect(warnings).toEqual([]);
    const { http, grpc, zipkin, jaeger } = config.receivers;
    expect([http?.port, grpc?.port, zipkin?.port]).toEqual([4318, 4317, 9411]);
    expect([jaeger?.thriftHttp?.port, jaeger?.grpc?.port]).toEqual([14268, 14250]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Overrides, OverridesFileError, parsePerTenantOverrides, watchPerTenantOverrides } from './overrides';

describe('Overrides.forTenant', () => {
  it('gives a tenant its own entry over the defaults, and others the defaults', () => {
    const overrides = new Overrides(
      { maxBytesPerTrace: 5_000_000 },
      new Map([['big', { maxBytesPerTrace: 0 }]]),
    );
    expect(overrides.forTenant('big').maxBytesPerTrace).toBe(0);
    expect(overrides.forTenant('other').maxBytesPerTrace).toBe(5_000_000);
  });
});

describe("Tempo's runtime overrides file", () => {
  it('reads the 2.3+ form and the legacy flat form, skipping keys Loupe does not apply', () => {
    const entries = parsePerTenantOverrides(
      `overrides:
  "team-a":
    global:
      max_bytes_per_trace: 1000
    ingestion:
      rate_limit_bytes: 15000000
  team-b:
    max_bytes_per_trace: 2000
    max_traces_per_user: 10000
`,
      'overrides.yaml',
    );
    expect(Object.fromEntries(entries)).toEqual({
      'team-a': { maxBytesPerTrace: 1000, ingestionRateBytes: 15_000_000 },
      'team-b': { maxBytesPerTrace: 2000, maxLiveTraces: 10_000 },
    });
  });

  it("reads a tenant's own sampling policies, an empty list turning sampling off for it", () => {
    const entries = parsePerTenantOverrides(
      `overrides:
  checkout:
    sampling:
      dry_run: true
      policies:
        - { name: errors, type: status_code, status_code: { status_codes: [ERROR] } }
  batch:
    sampling: { policies: [] }
`,
      'overrides.yaml',
    );
    const checkout = entries.get('checkout')?.sampling;
    expect(checkout?.dryRun).toBe(true);
    expect(checkout?.policies?.names).toEqual(['errors']);
    expect(entries.get('batch')?.sampling).toEqual({ policies: undefined, dryRun: false });
    const overrides = new Overrides({ maxBytesPerTrace: 5 }, entries);
    expect(overrides.forTenant('batch').maxBytesPerTrace).toBe(5);
  });

  it("keeps a tenant's compiled policies (and their rate limiters) across re-reads of an unchanged file", () => {
    const text =
      'overrides:\n  t:\n    sampling:\n      policies: [{ name: all, type: always_sample }]\n  u:\n    sampling:\n      policies: [{ name: all, type: always_sample }]\n';
    const first = parsePerTenantOverrides(text, 'o.yaml');
    const again = parsePerTenantOverrides(text, 'o.yaml');
    expect(again.get('t')?.sampling?.policies).toBe(first.get('t')?.sampling?.policies);
    expect(first.get('u')?.sampling?.policies).not.toBe(first.get('t')?.sampling?.policies);
  });

  it('refuses a sampling policy Loupe does not support, naming tenant, policy and key', () => {
    const text = 'overrides:\n  t:\n    sampling:\n      policies: [{ name: p, type: ottl_condition }]\n';
    expect(() => parsePerTenantOverrides(text, 'o.yaml')).toThrow(
      /^o\.yaml: overrides\.t\.sampling: .*policies\[0\]\(p\)/,
    );
    expect(() =>
      parsePerTenantOverrides('overrides:\n  t:\n    sampling: { policy: [] }\n', 'o.yaml'),
    ).toThrow('o.yaml: overrides.t.sampling.policy: unsupported key (policies, dry_run)');
  });

  it('refuses a value of the wrong type, naming the tenant and key', () => {
    expect(() =>
      parsePerTenantOverrides('overrides:\n  t:\n    global:\n      max_bytes_per_trace: lots\n', 'o.yaml'),
    ).toThrow(
      new OverridesFileError(
        'o.yaml: "overrides.t.global.max_bytes_per_trace" must be a whole number of bytes (>= 0), got "lots"',
      ),
    );
  });

  it('is re-read every period; a bad edit keeps the last good entries', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'loupe-overrides-')), 'overrides.yaml');
    writeFileSync(path, 'overrides:\n  t:\n    max_bytes_per_trace: 100\n');
    const overrides = new Overrides({ maxBytesPerTrace: 5 });
    const warnings: string[] = [];
    const watch = await watchPerTenantOverrides(overrides, path, 20, { warn: (_d, m) => warnings.push(m) });
    try {
      expect(overrides.forTenant('t').maxBytesPerTrace).toBe(100);
      writeFileSync(path, 'overrides:\n  t:\n    max_bytes_per_trace: 200\n');
      await expect.poll(() => overrides.forTenant('t').maxBytesPerTrace).toBe(200);
      writeFileSync(path, 'overrides: [not, a, mapping]\n');
      await expect.poll(() => warnings.length).toBeGreaterThan(0);
      expect(overrides.forTenant('t').maxBytesPerTrace).toBe(200);
    } finally {
      watch.stop();
    }
  });
});

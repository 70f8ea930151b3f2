import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigYaml } from '../config/load-config';
import { tempDataDir } from '../testing/test-config';

const load = (yaml: string) => parseConfigYaml(yaml, 'test.yaml').config;

function refused(yaml: string): string {
  try {
    load(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the config to be refused');
}

const MT = 'multitenancy_enabled: true\n';

describe('the auth: section', () => {
  it('is absent unless the file has it: requests carry no credentials, as today', () => {
    expect(load('multitenancy_enabled: true').auth).toBeUndefined();
    expect(load('').auth).toBeUndefined();
  });

  it('reads each tenant’s bearer tokens and basic users, in file order', () => {
    const config = load(`${MT}auth:
  tenants:
    team-a:
      bearer_tokens: ["tok-1", "tok-2"]
    team-b:
      basic:
        - username: grafana
          password: "0123"
        - username: grafana
          password: rotated
      bearer_tokens:
`);
    expect(config.auth).toEqual({
      tenants: [
        { tenantId: 'team-a', bearerTokens: ['tok-1', 'tok-2'], basic: [] },
        {
          tenantId: 'team-b',
          bearerTokens: [],
          basic: [
            { username: 'grafana', password: '0123' },
            { username: 'grafana', password: 'rotated' },
          ],
        },
      ],
    });
  });

  it('reads password_file, without the whitespace around the password', () => {
    const dir = tempDataDir('loupe-auth-');
    try {
      const file = join(dir, 'pw');
      writeFileSync(file, '  s3cret with space \n');
      const config = load(
        `${MT}auth:\n  tenants:\n    a:\n      basic: [{username: u, password_file: "${file}"}]\n`,
      );
      expect(config.auth?.tenants[0].basic).toEqual([{ username: 'u', password: 's3cret with space' }]);
      writeFileSync(file, '\n');
      expect(
        refused(`${MT}auth:\n  tenants:\n    a:\n      basic: [{username: u, password_file: "${file}"}]\n`),
      ).toBe(`config key "auth.tenants.a.basic[0].password_file": "${file}" is empty`);
      expect(
        refused(`${MT}auth:\n  tenants:\n    a:\n      basic: [{username: u, password_file: "${file}.x"}]\n`),
      ).toMatch(/^config key "auth.tenants.a.basic\[0\].password_file": cannot read ".*pw.x": ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes credentials for single-tenant only while multi-tenancy is off', () => {
    const config = load('auth:\n  tenants:\n    single-tenant:\n      bearer_tokens: [t]\n');
    expect(config.auth?.tenants.map((t) => t.tenantId)).toEqual(['single-tenant']);
    expect(refused('auth:\n  tenants:\n    acme:\n      bearer_tokens: [t]\n')).toBe(
      'config key "auth.tenants.acme": multi-tenancy is off, so every request belongs to "single-tenant": list the credentials under auth.tenants.single-tenant, or set multitenancy_enabled: true',
    );
    // Tempo 1.x's auth_enabled is multi-tenancy, not this section, but it turns multi-tenancy on.
    expect(
      load('auth_enabled: true\nauth:\n  tenants:\n    acme:\n      bearer_tokens: [t]\n').auth,
    ).toBeDefined();
  });

  it.each([
    ['auth:\n', 'config key "auth" needs "tenants"'],
    ['auth:\n  tenants:\n', 'config key "auth.tenants" must map each tenant ID to its credentials'],
    ['auth:\n  tenants: {}\n', 'config key "auth.tenants" must map each tenant ID to its credentials'],
    ['auth:\n  token: x\n', 'unknown config key "auth.token"'],
    [
      'auth:\n  tenants:\n    a:\n',
      'config key "auth.tenants.a" has no credentials: give it bearer_tokens and/or basic (username and password)',
    ],
    [
      'auth:\n  tenants:\n    a:\n      bearer_tokens: []\n      basic: []\n',
      'config key "auth.tenants.a" has no credentials',
    ],
    [
      'auth:\n  tenants:\n    a:\n      bearer_tokens: [""]\n',
      'config key "auth.tenants.a.bearer_tokens[0]" must not be empty',
    ],
    [
      'auth:\n  tenants:\n    a:\n      bearer_tokens: [0x1f]\n',
      'config key "auth.tenants.a.bearer_tokens[0]" must be a string (put it in quotes)',
    ],
    [
      'auth:\n  tenants:\n    a:\n      bearer_tokens: ["a b"]\n',
      'config key "auth.tenants.a.bearer_tokens[0]" must be printable ASCII without spaces',
    ],
    [
      'auth:\n  tenants:\n    a:\n      bearer_tokens: tok\n',
      'config key "auth.tenants.a.bearer_tokens" must be a list of tokens',
    ],
    ['auth:\n  tenants:\n    a:\n      tokens: [t]\n', 'unknown config key "auth.tenants.a.tokens"'],
    [
      'auth:\n  tenants:\n    a:\n      bearer_tokens: [t]\n    b:\n      bearer_tokens: [u, t]\n',
      'config key "auth.tenants.b.bearer_tokens[1]" repeats a token already given to "auth.tenants.a": a token belongs to one tenant',
    ],
    [
      'auth:\n  tenants:\n    a:\n      bearer_tokens: [t, t]\n',
      'config key "auth.tenants.a.bearer_tokens[1]" repeats a token already given to "auth.tenants.a"',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{username: u, password: p}]\n    b:\n      basic: [{username: u, password: q}]\n',
      'config key "auth.tenants.b.basic[0].username": user "u" is already a user of tenant "a": a username belongs to one tenant',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{username: u, password: p}, {username: u, password: p}]\n',
      'config key "auth.tenants.a.basic[1]" repeats user "u" with the same password',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{username: u}]\n',
      'config key "auth.tenants.a.basic[0]" needs exactly one of password and password_file',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{username: u, password: p, password_file: f}]\n',
      'config key "auth.tenants.a.basic[0]" needs exactly one of password and password_file',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{username: u, password: ""}]\n',
      'config key "auth.tenants.a.basic[0].password" must not be empty',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{username: u, password: 012345}]\n',
      'config key "auth.tenants.a.basic[0].password" must be a string (put it in quotes)',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{username: "a:b", password: p}]\n',
      'config key "auth.tenants.a.basic[0].username" must not contain \':\'',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{password: p}]\n',
      'config key "auth.tenants.a.basic[0].username" must be a string',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [{username: u, pass: p}]\n',
      'unknown config key "auth.tenants.a.basic[0].pass"',
    ],
    [
      'auth:\n  tenants:\n    a:\n      basic: [u]\n',
      'config key "auth.tenants.a.basic[0]" must be a mapping',
    ],
    [
      'auth:\n  tenants:\n    "a/b":\n      bearer_tokens: [t]\n',
      `config key "auth.tenants.a/b": tenant ID 'a/b' contains unsupported character '/'`,
    ],
    [
      'auth:\n  tenants:\n    a: [t]\n',
      'config key "auth.tenants.a" must be a mapping with bearer_tokens and/or basic',
    ],
  ])('refuses %j, naming the key', (yaml, message) => {
    expect(refused(`${MT}${yaml}`)).toContain(message);
  });

  it('never repeats a secret in a message', () => {
    const message = refused(
      `${MT}auth:\n  tenants:\n    a:\n      bearer_tokens: [sekrit]\n    b:\n      bearer_tokens: [sekrit]\n`,
    );
    expect(message).not.toContain('sekrit');
  });
});

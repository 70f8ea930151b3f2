import { ORG_ID_HEADER, resolveTenant, SINGLE_TENANT_ID, TenantError } from './tenant';

function refusal(header: string | string[] | undefined): TenantError {
  try {
    resolveTenant(header, true);
  } catch (err) {
    expect(err).toBeInstanceOf(TenantError);
    expect((err as TenantError).code).toBe('LOUPE_ERR_TENANT');
    return err as TenantError;
  }
  throw new Error(`expected ${JSON.stringify(header)} to be refused`);
}

describe('resolveTenant with multi-tenancy off', () => {
  it.each([undefined, '', 'team-a', '../etc', ['a', 'b']])('puts %j in single-tenant', (header) => {
    expect(resolveTenant(header, false)).toBe(SINGLE_TENANT_ID);
    expect(SINGLE_TENANT_ID).toBe('single-tenant');
  });
});

describe('resolveTenant with multi-tenancy on', () => {
  it('names the header Grafana and Tempo clients send', () => {
    expect(ORG_ID_HEADER).toBe('x-scope-orgid');
  });

  it.each(['team-a', 'Tenant_01', 'a.b', '...', '.hidden', "!-_.*'()", '0', 'x'.repeat(150)])(
    'accepts %j',
    (id) => {
      expect(resolveTenant(id, true)).toBe(id);
    },
  );

  it.each([undefined, '', []])('answers 401 "no org id" for %j', (header) => {
    const err = refusal(header);
    expect(err.statusCode).toBe(401);
    expect(err.message).toBe('no org id');
  });

  it.each([
    ['../x', "tenant ID '../x' contains unsupported character '/'"],
    ['a/b', "tenant ID 'a/b' contains unsupported character '/'"],
    ['a\\b', "tenant ID 'a\\b' contains unsupported character '\\'"],
    ['..', "tenant ID is '.' or '..'"],
    ['.', "tenant ID is '.' or '..'"],
    [
      'work.json',
      "tenant ID 'work.json' is reserved: a bucket shared with Tempo holds Tempo's own object of that name",
    ],
    ['%2e%2e', "tenant ID '%2e%2e' contains unsupported character '%'"],
    ['x'.repeat(151), 'tenant ID is too long: max 150 characters'],
    ['café', "tenant ID 'café' contains unsupported character 'é'"],
    ['租户', "tenant ID '租户' contains unsupported character '租'"],
    ['a b', "tenant ID 'a b' contains unsupported character ' '"],
    ['a\nb', "tenant ID 'a\\x0ab' contains unsupported character '\\x0a'"],
    ['a:b', "tenant ID 'a:b' contains unsupported character ':'"],
    ['a|b', "tenant ID 'a|b' contains unsupported character '|' (one tenant per request)"],
  ])('answers 400 for %j', (id, message) => {
    const err = refusal(id);
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(message);
  });

  it('takes a repeated header only when every copy agrees', () => {
    expect(resolveTenant(['team-a', 'team-a'], true)).toBe('team-a');
    const err = refusal(['team-a', 'team-b']);
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe('multiple org IDs present');
  });
});

/**
 * Reading the YAML a user pasted, field by field, with errors that say where. Types are as
 * strict as the collector's own decoding (confmap has refused weakly typed input since its
 * strict-typing gate went stable): a string field takes a string, an integer field an integer.
 * A null (`key:` left empty) counts as absent, as mapstructure decodes nil to the zero value.
 */
export class SamplingConfigError extends Error {
  constructor(
    /** Where in the `policies` list: `policies[2](errors).status_code.status_codes`. */
    readonly path: string,
    problem: string,
  ) {
    super(`tail sampling config: ${path}: ${problem}`);
    this.name = 'SamplingConfigError';
  }
}

export type RawMap = Record<string, unknown>;

/** An object of the given keys ('any': not checked yet); any other key is an error naming it. */
export function mapAt(value: unknown, path: string, allowed: readonly string[] | 'any'): RawMap {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new SamplingConfigError(path, 'must be a map');
  for (const key of Object.keys(value)) {
    if (allowed !== 'any' && !allowed.includes(key)) {
      throw new SamplingConfigError(
        `${path}.${key}`,
        `unsupported key (Loupe supports: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
      );
    }
  }
  return value as RawMap;
}

export function listAt(map: RawMap, key: string, path: string): unknown[] {
  const value = map[key];
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new SamplingConfigError(`${path}.${key}`, 'must be a list');
  return value;
}

export function stringAt(map: RawMap, key: string, path: string): string {
  const value = map[key];
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') throw new SamplingConfigError(`${path}.${key}`, 'must be a string');
  return value;
}

export function stringsAt(map: RawMap, key: string, path: string): string[] {
  return listAt(map, key, path).map((item, i) => {
    if (typeof item !== 'string') throw new SamplingConfigError(`${path}.${key}[${i}]`, 'must be a string');
    return item;
  });
}

export function boolAt(map: RawMap, key: string, path: string): boolean {
  const value = map[key];
  if (value === null || value === undefined) return false;
  if (typeof value !== 'boolean') throw new SamplingConfigError(`${path}.${key}`, 'must be true or false');
  return value;
}

export function floatAt(map: RawMap, key: string, path: string): number {
  const value = map[key];
  if (value === null || value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new SamplingConfigError(`${path}.${key}`, 'must be a finite number');
  return value;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An integer in [min, max] (bigint bounds: int64 fields may come as bigint from the YAML). */
export function bigIntAt(map: RawMap, key: string, path: string, min = INT64_MIN, max = INT64_MAX): bigint {
  const value = map[key];
  if (value === null || value === undefined) return 0n;
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else throw new SamplingConfigError(`${path}.${key}`, 'must be an integer');
  if (n < min || n > max) throw new SamplingConfigError(`${path}.${key}`, `must be within [${min}, ${max}]`);
  return n;
}

/** An integer field as a number; int64 fields Loupe reads this way are capped at 2^53 to stay exact. */
export function intAt(map: RawMap, key: string, path: string, bits: 32 | 53 = 53): number {
  const limit = bits === 32 ? 2n ** 31n : 2n ** 53n;
  return Number(bigIntAt(map, key, path, -limit, limit - 1n));
}

/** Whether the key is present with a value (absent and null are the same to mapstructure). */
export function has(map: RawMap, key: string): boolean {
  return map[key] !== undefined && map[key] !== null;
}

/** A count or rate: negative ones make no sense to any policy, so they are refused. */
export function countAt(map: RawMap, key: string, path: string): number {
  const n = intAt(map, key, path);
  if (n < 0) throw new SamplingConfigError(`${path}.${key}`, 'must not be negative');
  return n;
}

/**
 * Typed readers for single config values. Each takes the raw YAML value and the full key path,
 * and either returns the value in Loupe's units (durations in ms, sizes in bytes) or throws a
 * `ConfigError` naming the key and the type it expected, so a typo points at its line's key.
 */

import { ErrorCode } from '../errors/error-codes';
import { isMapping } from './schema-node';
import type { ValueReader } from './types';

/** Any problem with the command line or the config file: Loupe refuses to start. */
export class ConfigError extends Error {
  readonly code = ErrorCode.CONFIG;
}

function shown(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function typeError(key: string, expected: string, value: unknown): ConfigError {
  return new ConfigError(`config key "${key}" must be ${expected}, got ${shown(value)}`);
}

export const readBool: ValueReader<boolean> = (value, key) => {
  if (typeof value !== 'boolean') throw typeError(key, 'true or false', value);
  return value;
};

/** Go unmarshals any scalar into a string field, so numbers are accepted (`path: 2024`). */
export const readString: ValueReader<string> = (value, key) => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw typeError(key, 'a string', value);
};

export function readInt(
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  what = 'a whole number',
): ValueReader<number> {
  return (value, key) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}-${max}`;
      throw typeError(key, `${what} (${range})`, value);
    }
    return value;
  };
}

/** A path that is not blank; relative paths are resolved by whoever uses them. */
export const readNonEmptyPath: ValueReader<string> = (value, key) => {
  const path = readString(value, key);
  if (path.trim() === '') throw new ConfigError(`config key "${key}" must be a non-empty path`);
  return path;
};

export const readPort = readInt(0, 65535, 'a port number');
export const readBytes = readInt(0, Number.MAX_SAFE_INTEGER, 'a whole number of bytes');
export const readPositiveInt = readInt(1);

/** A probability strictly between 0 and 1 (a bloom filter's false-positive rate). */
export const readFraction: ValueReader<number> = (value, key) => {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw typeError(key, 'a number between 0 and 1 (exclusive)', value);
  }
  return value;
};

export function readEnum<T extends string>(allowed: readonly T[]): ValueReader<T> {
  return (value, key) => {
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      throw typeError(key, `one of ${allowed.join(', ')}`, value);
    }
    return value as T;
  };
}

/** A list of strings; an empty key (`allowed_origins:`) is an empty list, as in Go. */
export const readStringList: ValueReader<string[]> = (value, key) => {
  if (value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw typeError(key, 'a list of strings', value);
  }
  return value as string[];
};

const NANOS_PER_UNIT: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign, accepted by Go
  μs: 1e3, // U+03BC Greek mu, accepted by Go
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const DURATION_PART = /^(\d*\.?\d*)([a-zµμ]+)/;

/**
 * Parses a Go duration (`time.ParseDuration`): a sequence of decimal numbers with units, such as
 * `10s`, `1h30m`, `1.5h`, `500ms`; `0` alone is allowed. Returns milliseconds, or undefined when
 * the text is not a duration. Negative durations are rejected: no Loupe setting means anything
 * with one.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text.startsWith('+') ? text.slice(1) : text;
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let nanos = 0;
  while (rest.length > 0) {
    const match = DURATION_PART.exec(rest);
    if (!match) return undefined;
    const [whole, number, unit] = match;
    const perUnit = NANOS_PER_UNIT[unit];
    if (number === '' || number === '.' || perUnit === undefined) return undefined;
    nanos += Number(number) * perUnit;
    rest = rest.slice(whole.length);
  }
  // Round at nanosecond precision so `1.1s` is exactly 1100 ms despite binary floating point.
  return Math.round(nanos) / 1e6;
}

/** A Go duration string. A bare number would be nanoseconds in Go, which is never what is meant. */
export const readDuration: ValueReader<number> = (value, key) => {
  if (value === 0) return 0;
  const ms = typeof value === 'string' ? parseGoDuration(value.trim()) : undefined;
  if (ms === undefined) throw typeError(key, 'a duration such as 10s, 5m, 1h30m or 168h', value);
  return ms;
};

/** A duration that must be above zero: a zero period would spin or cut blocks continuously. */
export const readPositiveDuration: ValueReader<number> = (value, key) => {
  const ms = readDuration(value, key);
  if (ms <= 0) throw typeError(key, 'a duration above zero', value);
  return ms;
};

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * An OpenTelemetry receiver `endpoint`: `host:port`, `:port` or `[ipv6]:port`. An empty host
 * listens on all IPv4 interfaces, as `0.0.0.0`; IPv6 hosts come back without brackets.
 */
export const readEndpoint: ValueReader<Endpoint> = (value, key) => {
  const expected = 'an endpoint such as 0.0.0.0:4317 or localhost:4318';
  if (typeof value !== 'string') throw typeError(key, expected, value);
  const match = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) throw typeError(key, expected, value);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
};

/**
 * A TLS section Loupe cannot honour (it serves plain HTTP and gRPC): accepted only with every value
 * empty, as complete default configs write it. Ignoring a certificate would serve plain text to
 * clients that were promised TLS, so a set value stops the start with `advice`.
 */
export function readUnsupportedTls(advice: string): ValueReader<undefined> {
  return (value, key) => {
    const entries: [string, unknown][] = isMapping(value) ? Object.entries(value) : [[key, value]];
    const set = entries.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k]) => k);
    if (set.length > 0) {
      throw new ConfigError(`config key "${key}" sets ${set.join(', ')}: ${advice}, and remove "${key}"`);
    }
    return undefined;
  };
}

/**
 * The two function types every module's own `*-config.ts` is written against: a `ValueReader`
 * checks one raw YAML value while the file is walked, a `ConfigGetter` hands the checked values
 * to the module's `build…Config` afterwards.
 */

/** Takes the raw YAML value and its full key path; returns it in Loupe's units or throws a `ConfigError`. */
export type ValueReader<T> = (value: unknown, key: string) => T;

/** Reads a value the loader collected, by its YAML path (`logs.retention_period`), or the fallback. */
export type ConfigGetter = <T>(path: string, fallback: T) => T;

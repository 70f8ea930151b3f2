import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the benches that run Loupe as its own process share (bench/run.ts, bench/search.ts,
 * bench/sampling.ts): the config they start it with, starting and stopping it, and running the
 * bench's helper scripts (load generators) as processes of their own.
 */

export interface BenchPorts {
  http: number;
  grpc: number;
  otlp: number;
}

export interface BenchConfigOptions {
  ports: BenchPorts;
  /** Blocks go to `<dataDir>/blocks`, the WAL to `<dataDir>/wal`, the config to `<dataDir>/loupe.yaml`. */
  dataDir: string;
  /** `ingester.trace_idle_period`, e.g. `2s`. */
  idlePeriod: string;
  /** `ingester.max_block_bytes`; undefined or 0 leaves Tempo's default (500 MiB). */
  maxBlockBytes?: number;
  /** `ingester.max_block_duration`; undefined leaves the default. */
  maxBlockDuration?: string;
  /** Top-level sections appended as they are (YAML ending in a newline). */
  extra?: string;
}

/**
 * Writes `<dataDir>/loupe.yaml` and returns its path: Loupe on 127.0.0.1 at `ports`, log level
 * warn, local storage under `dataDir`, and no per-tenant ingestion limits (Tempo's defaults,
 * 15 MB/s and 10,000 live traces, would refuse part of a bench's load; each caller says why).
 */
export function writeBenchConfig(o: BenchConfigOptions): string {
  const path = join(o.dataDir, 'loupe.yaml');
  writeFileSync(
    path,
    `server:
  http_listen_port: ${o.ports.http}
  http_listen_address: 127.0.0.1
  log_level: warn
distributor:
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: 127.0.0.1:${o.ports.grpc}
        http:
          endpoint: 127.0.0.1:${o.ports.otlp}
ingester:
  trace_idle_period: ${o.idlePeriod}
${o.maxBlockBytes ? `  max_block_bytes: ${o.maxBlockBytes}\n` : ''}${o.maxBlockDuration ? `  max_block_duration: ${o.maxBlockDuration}\n` : ''}storage:
  trace:
    backend: local
    local:
      path: ${join(o.dataDir, 'blocks')}
    wal:
      path: ${join(o.dataDir, 'wal')}
overrides:
  defaults:
    ingestion:
      rate_limit_bytes: 0
      max_traces_per_user: 0
${o.extra ?? ''}`,
  );
  return path;
}

export interface SpawnOptions {
  /** Node flags before `--import tsx` (`--inspect=…`, `--cpu-prof`). */
  nodeFlags?: string[];
  /**
   * Pass Loupe's stderr on through this process, less the inspector's notices (for a Loupe
   * started with `--inspect`); otherwise Loupe writes to this process's stderr directly.
   */
  hideInspectorNotices?: boolean;
}

/** Starts `server/main.ts` with the config; its stdout is read and dropped. */
export function spawnLoupe(configPath: string, options: SpawnOptions = {}): ChildProcess {
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), '--import', 'tsx', 'server/main.ts', `-config.file=${configPath}`],
    { stdio: ['ignore', 'pipe', options.hideInspectorNotices ? 'pipe' : 'inherit'] },
  );
  child.stdout!.resume();
  if (options.hideInspectorNotices) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      const kept = chunk
        .split('\n')
        .filter(
          (line) =>
            line &&
            !/^(Debugger (listening|attached|ending)|For help, see|Waiting for the debugger)/.test(line),
        );
      if (kept.length > 0) process.stderr.write(`${kept.join('\n')}\n`);
    });
  }
  return child;
}

/**
 * Resolves once Loupe's `/ready` answers 200; rejects if it exits first or takes longer than
 * `timeoutMs`, and then kills it.
 */
export async function untilReady(child: ChildProcess, httpPort: number, timeoutMs: number): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`Loupe exited (${code}) before it was ready`))),
  );
  exited.catch(() => {});
  try {
    await Promise.race([
      waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/ready`)).ok, timeoutMs, 'Loupe'),
      exited,
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** `spawnLoupe`, then `untilReady`. */
export async function startLoupe(
  configPath: string,
  httpPort: number,
  timeoutMs: number,
  options: SpawnOptions = {},
): Promise<ChildProcess> {
  const child = spawnLoupe(configPath, options);
  await untilReady(child, httpPort, timeoutMs);
  return child;
}

/** SIGTERM (Loupe flushes everything into blocks) or another signal; resolves once it has exited. */
export function stopLoupe(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Polls `check` every 100 ms (a throw counts as not yet) until it is true or `timeoutMs` has passed. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  state: () => string = () => '',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const detail = state();
  throw new Error(`timed out waiting for ${what}${detail ? ` ${detail}` : ''}`);
}

/** A process's resident set now, bytes; 0 when it has not started or has exited. */
export function rssOf(child: ChildProcess | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${child?.pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0; // not started, or exiting
  }
}

/** Loupe's `/metrics`, each metric summed over its label sets. */
export async function scrapeTotals(httpPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line) continue;
    const [name, value] = line.split(/\s+/);
    const bare = name.replace(/\{.*\}$/, '');
    values.set(bare, (values.get(bare) ?? 0) + Number(value));
  }
  return values;
}

/**
 * Runs a bench script (`bench/load-generator.ts` and the like) in a process of its own and
 * resolves with the JSON on the last line of its stdout; its stderr passes through.
 */
export function runBenchScript<T>(
  script: string,
  args: (string | number)[],
  nodeFlags: string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args.map(String)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`${script} exited ${code}`)),
    );
  });
}

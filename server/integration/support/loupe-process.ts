import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Options } from '../../store/backend/s3-client';
import { isReady, waitFor } from './clients';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A Tempo-style config file for a child Loupe: loopback, ports chosen by the OS, short timings.
 * `backend` is the `storage.trace` lines besides `wal` (indented four spaces): the local backend
 * under `dataDir` unless given (`support/backends.ts` gives S3's).
 */
export function writeChildConfig(
  dataDir: string,
  timings: { idle?: string; blockDuration?: string } = {},
  extra = '',
  backend = `    backend: local\n    local:\n      path: ${join(dataDir, 'blocks')}\n`,
): string {
  const path = join(dataDir, 'tempo.yaml');
  writeFileSync(
    path,
    `server:
  http_listen_address: 127.0.0.1
  http_listen_port: 0
  log_level: info
distributor:
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: "127.0.0.1:0"
        http:
          endpoint: "127.0.0.1:0"
ingester:
  trace_idle_period: ${timings.idle ?? '1s'}
  max_block_duration: ${timings.blockDuration ?? '3s'}
  flush_check_period: 200ms
storage:
  trace:
${backend}    wal:
      path: ${join(dataDir, 'wal')}
${extra}`,
  );
  return path;
}

/** The `storage.trace` lines of `writeChildConfig` for a bucket of the test radosgw. */
export function s3TraceStorage(options: S3Options, prefix = ''): string {
  return `    backend: s3
    s3:
      bucket: ${options.bucket}
      endpoint: ${options.endpoint}
      region: ${options.region}
      access_key: ${options.accessKey}
      secret_key: ${options.secretKey}
      insecure: true
      forcepathstyle: true
${prefix ? `      prefix: ${prefix}\n` : ''}`;
}

export interface LoupeProcess {
  child: ChildProcess;
  api: string;
  otlp: string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every JSON log line the process printed so far. */
  logs: Record<string, unknown>[];
}

/**
 * Starts `server/main.ts -config.file=<path>` as its own Node process (tsx as an import hook,
 * so the PID is the server itself and a signal reaches it directly), waits for its
 * "Loupe started" log line to learn the ports, and for `/ready`.
 */
export async function spawnLoupe(
  configPath: string,
  timeoutMs = 20_000,
  flags: string[] = [],
): Promise<LoupeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', `-config.file=${configPath}`, ...flags],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  const started = () => logs.find((l) => l.msg === 'Loupe started');
  try {
    await waitFor(() => {
      if (exitedEarly) throw new Error(`Loupe exited before starting: ${stderr}`);
      return started() !== undefined;
    }, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\nstderr: ${stderr}`);
  }
  const ports = started()?.ports as { http: number; otlpHttp: number };
  const api = `http://127.0.0.1:${ports.http}`;
  await waitFor(() => isReady(api), timeoutMs);
  return { child, api, otlp: `http://127.0.0.1:${ports.otlpHttp}`, exited, logs };
}

/** Kills the process if it is still running (cleanup after a failed test). */
export async function ensureStopped(proc: LoupeProcess | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGKILL');
  await proc.exited;
}

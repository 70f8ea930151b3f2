/**
 * Playwright's web server: writes a Loupe config with a fresh temporary data directory, runs the
 * real server (`server/main.ts`) with it, and removes the directory when stopped.
 * Ports come from the environment (see `ports.ts`); `LOUPE_E2E_PROFILE=bench` raises the limits
 * so 100k-span traces are accepted, and keeps the default 15 s metrics collection: the e2e's
 * one-second collection would otherwise keep the server busy while the UI is measured.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { logsConfigYaml } from './logs-config';
import { metricsConfigYaml } from './metrics-config';
import { loupePorts } from './ports';

const ports = loupePorts();
const bench = process.env.LOUPE_E2E_PROFILE === 'bench';
const dataDir = mkdtempSync(path.join(tmpdir(), 'loupe-e2e-'));
const configFile = path.join(dataDir, 'loupe.yaml');
const mib = 1024 * 1024;

writeFileSync(
  configFile,
  `server:
  http_listen_port: ${ports.http}
  log_level: warn
distributor:
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: "127.0.0.1:${ports.otlpGrpc}"
        http:
          endpoint: "127.0.0.1:${ports.otlpHttp}"${bench ? `\n          max_request_body_size: ${256 * mib}` : ''}
ingester:
  trace_idle_period: 1s
  max_block_duration: 5s
storage:
  trace:
    backend: local
    local:
      path: ${path.join(dataDir, 'blocks')}
${bench ? `overrides:\n  max_bytes_per_trace: ${1024 * mib}\n  ingestion_rate_limit_bytes: 0\n` : ''}${logsConfigYaml()}${bench ? '' : metricsConfigYaml()}`,
);

const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', `-config.file=${configFile}`], {
  stdio: 'inherit',
});
const cleanUp = () => rmSync(dataDir, { recursive: true, force: true });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  cleanUp();
  process.exit(code ?? (signal ? 0 : 1));
});

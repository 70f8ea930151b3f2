import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));

export interface PrometheusOptions {
  /** Loopback port Prometheus listens on. */
  port: number;
  /** `host:port` scraped at `/metrics` every second (OpenMetrics, exemplars kept). */
  scrapeTarget: string;
  /** Holds prometheus.yml and the instance's state (pid, TSDB, log). */
  dataDir: string;
  /** Seconds between scrapes; 1 by default. */
  scrapeIntervalSeconds?: number;
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      join(SCRIPTS, script),
      args,
      { env: { ...process.env, ...env }, timeout: 180_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${script} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Starts Debian's Prometheus (installing the package with apt-get when missing) through
 * `scripts/start-prometheus.sh`, scraping `scrapeTarget`; resolves after its first scrape.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const configPath = join(opts.dataDir, 'prometheus.yml');
  const interval = opts.scrapeIntervalSeconds ?? 1;
  writeFileSync(
    configPath,
    `global:
  scrape_interval: ${interval}s
  evaluation_interval: ${interval}s
scrape_configs:
  - job_name: loupe
    metrics_path: /metrics
    static_configs:
      - targets: ['${opts.scrapeTarget}']
`,
  );
  const env = { PROM_STATE_DIR: join(opts.dataDir, 'prometheus-state') };
  const stdout = await run('start-prometheus.sh', [configPath, String(opts.port)], env);
  const url = /PROMETHEUS_URL=(\S+)/.exec(stdout)?.[1];
  if (!url) throw new Error(`start-prometheus.sh printed no PROMETHEUS_URL: ${stdout}`);
  return {
    url,
    stop: async () => {
      await run('stop-prometheus.sh', [String(opts.port)], env);
    },
  };
}

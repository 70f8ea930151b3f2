import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { type Endpoint, SERVICES } from '../topology';

/** `npm run demo -- --flag value`, or the same through `LOUPE_DEMO_*` environment variables. */

export const USAGE = `npm run demo [-- options]

  --duration <seconds>  stop by itself after this long (default: run until Ctrl-C)  LOUPE_DEMO_DURATION
  --rate <per second>   requests the load sends to the frontend (default 3)          LOUPE_DEMO_RATE
  --data-dir <path>     Loupe's data, the inventory database, the processes' logs     LOUPE_DEMO_DATA
                        (default data/demo; emptied at start unless --keep-data)
  --keep-data           keep what an earlier demo run left in the data folder       LOUPE_DEMO_KEEP_DATA=1
  --http-port <port>    Loupe's UI and APIs (default 3200)                            LOUPE_DEMO_HTTP_PORT
  --otlp-port <port>    Loupe's OTLP/HTTP receiver (default 4318)                     LOUPE_DEMO_OTLP_PORT
  --grpc-port <port>    Loupe's OTLP/gRPC receiver (default 4317)                     LOUPE_DEMO_GRPC_PORT
  --port-base <port>    the services and the queue: this port and the six above it    LOUPE_DEMO_PORT_BASE
                        (default 8081)
  A port of 0 means any free port.`;

export class OptionsError extends Error {}

/** setTimeout's limit (2^31 ms, about 24 days); a longer --duration is as good as none. */
const MAX_DURATION_S = 2_000_000;

export interface DemoOptions {
  durationS?: number;
  rate: number;
  /** Absolute. */
  dataDir: string;
  keepData: boolean;
  httpPort: number;
  otlpPort: number;
  grpcPort: number;
  portBase: number;
}

const FLAGS: Record<string, { env: string; fallback?: string }> = {
  duration: { env: 'LOUPE_DEMO_DURATION' },
  rate: { env: 'LOUPE_DEMO_RATE', fallback: '3' },
  'data-dir': { env: 'LOUPE_DEMO_DATA', fallback: 'data/demo' },
  'http-port': { env: 'LOUPE_DEMO_HTTP_PORT', fallback: '3200' },
  'otlp-port': { env: 'LOUPE_DEMO_OTLP_PORT', fallback: '4318' },
  'grpc-port': { env: 'LOUPE_DEMO_GRPC_PORT', fallback: '4317' },
  'port-base': { env: 'LOUPE_DEMO_PORT_BASE', fallback: '8081' },
};

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new OptionsError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

function port(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new OptionsError(`--${name} must be a port number (0-65535), got "${text}"`);
  }
  return value;
}

/** Flags win over environment variables, which win over the defaults. `undefined` for `--help`. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): DemoOptions | undefined {
  const given = new Map<string, string>();
  let keepData = env.LOUPE_DEMO_KEEP_DATA === '1';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return undefined;
    if (arg === '--keep-data') {
      keepData = true;
      continue;
    }
    const bare = arg.replace(/^--?/, '');
    const equals = bare.indexOf('=');
    const flag = equals < 0 ? bare : bare.slice(0, equals);
    const inline = equals < 0 ? undefined : bare.slice(equals + 1);
    if (!arg.startsWith('-') || !(flag in FLAGS))
      throw new OptionsError(`unknown option "${arg}"\n\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new OptionsError(`--${flag} needs a value`);
    given.set(flag, value);
  }
  const read = (flag: string) => given.get(flag) ?? env[FLAGS[flag].env] ?? FLAGS[flag].fallback;
  const duration = read('duration');
  return {
    durationS: duration ? Math.min(positive('duration', duration), MAX_DURATION_S) : undefined,
    rate: positive('rate', read('rate')!),
    dataDir: resolve(read('data-dir')!),
    keepData,
    httpPort: port('http-port', read('http-port')!),
    otlpPort: port('otlp-port', read('otlp-port')!),
    grpcPort: port('grpc-port', read('grpc-port')!),
    portBase: port('port-base', read('port-base')!),
  };
}

export interface Ports {
  http: number;
  otlp: number;
  grpc: number;
  endpoints: Record<Endpoint, number>;
}

/** Listens on 127.0.0.1:`wanted` (0: any free port) and stays listening until `release`. */
function hold(wanted: number): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => {
      const { port: got } = server.address() as { port: number };
      resolvePort({ port: got, release: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

/**
 * Every port the demo will listen on, 0s replaced by free ports (all held at once, so no two
 * are the same); refuses a port already in use, naming the option that sets it.
 */
export async function choosePorts(options: DemoOptions): Promise<Ports> {
  const held: (() => Promise<void>)[] = [];
  const take = async (wanted: number, option: string) => {
    try {
      const { port: got, release } = await hold(wanted);
      held.push(release);
      return got;
    } catch {
      throw new OptionsError(
        `port ${wanted} is in use (is another Loupe or demo running?): choose another with ${option}`,
      );
    }
  };
  try {
    const endpoints = {} as Record<Endpoint, number>;
    const names: Endpoint[] = [...SERVICES.map((s) => s.name), 'queue'];
    for (const [i, name] of names.entries()) {
      endpoints[name] = await take(options.portBase === 0 ? 0 : options.portBase + i, '--port-base');
    }
    return {
      http: await take(options.httpPort, '--http-port'),
      otlp: await take(options.otlpPort, '--otlp-port'),
      grpc: await take(options.grpcPort, '--grpc-port'),
      endpoints,
    };
  } finally {
    await Promise.all(held.map((release) => release()));
  }
}

import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { S3Backend } from '../server/store/backend/s3-backend';
import type { RunningS3 } from '../server/testing/s3';

/**
 * `npx tsx bench/s3-get.ts`: the cost of one ranged GET through Loupe's S3 backend (its direct
 * GETs, and the same GETs through the SDK's `client.send`: `directGets: false`) beside the same GET
 * made with nothing but `node:http` (signed once up front, one keep-alive connection) and beside
 * `curl` (one process, every URL over one connection), against the project's radosgw
 * (`scripts/start-s3.sh`). They take turns in rounds, so a busy machine slows all of them alike
 * and the ratios hold. Settings: S3_GET_PORT (7530: not the tests' 7480 nor the storage
 * bench's 7490), S3_GET_REQUESTS (500 per client), S3_GET_BYTES (40,000), S3_GET_KEEP=1 leaves
 * radosgw running for the next run.
 */

const PORT = process.env.S3_GET_PORT ?? '7530';
const REQUESTS = Number(process.env.S3_GET_REQUESTS ?? 500);
const BYTES = Number(process.env.S3_GET_BYTES ?? 40_000);
/** Requests per client per round; rounds alternate which client goes first. */
const ROUND = 25;
const KEY = 'bench/block/data';

process.env.LOUPE_TEST_S3_PORT = PORT;
if (process.env.S3_GET_KEEP === '1') process.env.LOUPE_TEST_S3_KEEP = '1';
const { startS3 } = await import('../server/testing/s3');

const progress = (line: string) => process.stderr.write(`[s3-get] ${line}\n`);

/** SigV4 headers for one GET of `path` with `range` (what the SDK's signer computes, by hand). */
function signGet(s3: RunningS3, path: string, range: string): Record<string, string> {
  const host = new URL(s3.endpoint).host;
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = createHash('sha256').update('').digest('hex');
  const headers: Record<string, string> = {
    host,
    range,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    'GET',
    path,
    '',
    ...names.map((name) => `${name}:${headers[name]}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/${s3.region}/s3/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${s3.secretKey}`, day), s3.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

/** One GET over `agent`, its body read whole; resolves with the byte count. */
function rawGet(agent: Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () =>
        res.statusCode === 206 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `count` GETs by one curl process over one connection: each one's total time in ms. */
function curlGets(s3: RunningS3, url: URL, count: number): Promise<number[]> {
  const args = ['-s', '--aws-sigv4', `aws:amz:${s3.region}:s3`, '--user', `${s3.accessKey}:${s3.secretKey}`];
  // radosgw wants the payload hash header, which curl's signer leaves out.
  const emptyHash = createHash('sha256').update('').digest('hex');
  args.push('-H', `x-amz-content-sha256: ${emptyHash}`, '-H', `range: bytes=0-${BYTES - 1}`);
  args.push('-w', '%{http_code} %{time_total}\\n');
  for (let i = 0; i < count; i++) args.push('-o', '/dev/null', url.href);
  return new Promise((resolve, reject) => {
    execFile('curl', args, (err, stdout) => {
      if (err) return reject(err);
      const lines = stdout.trim().split('\n');
      const bad = lines.find((line) => !line.startsWith('206 '));
      if (bad || lines.length !== count)
        return reject(new Error(`curl: ${bad ?? `${lines.length} answers`}`));
      resolve(lines.map((line) => Number(line.split(' ')[1]) * 1000));
    });
  });
}

function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const s3 = await startS3();
const bucket = await s3.newBucket();
const backend = new S3Backend(s3.options({ bucket }));
const viaSdk = new S3Backend(s3.options({ bucket }), { directGets: false });
try {
  const data = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  await backend.write(KEY, data);
  const url = new URL(`${s3.endpoint}/${bucket}/${KEY}`);
  const range = `bytes=0-${BYTES - 1}`;
  const headers = signGet(s3, url.pathname, range);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  const times = { loupe: [] as number[], sdk: [] as number[], raw: [] as number[], curl: [] as number[] };
  const through = (store: S3Backend, into: number[]) => async () => {
    for (let i = 0; i < ROUND; i++) {
      const began = performance.now();
      const got = await store.readRange(KEY, 0, BYTES);
      into.push(performance.now() - began);
      if (!got.equals(data.subarray(0, BYTES))) throw new Error('Loupe read the wrong bytes');
    }
  };
  const clients: Record<keyof typeof times, () => Promise<void>> = {
    loupe: through(backend, times.loupe),
    sdk: through(viaSdk, times.sdk),
    raw: async () => {
      for (let i = 0; i < ROUND; i++) {
        const began = performance.now();
        const bytes = await rawGet(agent, url, headers);
        times.raw.push(performance.now() - began);
        if (bytes !== BYTES) throw new Error(`raw GET read ${bytes} bytes`);
      }
    },
    curl: async () => {
      times.curl.push(...(await curlGets(s3, url, ROUND)));
    },
  };
  const order = Object.keys(clients) as (keyof typeof times)[];
  // Warm-up: connections open, the SDK's lazy set-up done, JIT settled.
  for (const name of order) await clients[name]();
  for (const name of order) times[name].length = 0;
  const rounds = Math.ceil(REQUESTS / ROUND);
  progress(`${rounds} rounds of ${ROUND} sequential ${BYTES}-byte ranged GETs per client, taking turns`);
  for (let round = 0; round < rounds; round++) {
    const shift = round % order.length;
    for (const name of [...order.slice(shift), ...order.slice(0, shift)]) await clients[name]();
  }
  agent.destroy();

  const fmt = (ms: number) => ms.toFixed(2).padStart(7);
  const base = { p50: percentile(times.raw, 0.5), p99: percentile(times.raw, 0.99) };
  console.log(`${REQUESTS} sequential ranged GETs of ${BYTES} bytes each, radosgw on ${s3.endpoint}`);
  console.log('client                                      p50 ms   p99 ms   p50 / raw   p99 / raw');
  const rows: [string, number[]][] = [
    ['Loupe S3Backend.readRange', times.loupe],
    ['the same through the SDK (directGets off)', times.sdk],
    ['node:http, signed once, 1 keep-alive', times.raw],
    ['curl --aws-sigv4, 1 connection', times.curl],
  ];
  for (const [label, ms] of rows) {
    const p50 = percentile(ms, 0.5);
    const p99 = percentile(ms, 0.99);
    console.log(
      `${label.padEnd(41)} ${fmt(p50)}  ${fmt(p99)}  ${fmt(p50 / base.p50)}×  ${fmt(p99 / base.p99)}×`,
    );
  }
} finally {
  backend.close();
  viaSdk.close();
  await s3.dropBucket(bucket).catch(() => {});
  await s3.stop();
}

// CI runs the README's start command verbatim, as a new user would: start it, wait for /ready,
// send one trace over OTLP/HTTP, read it back through Tempo's API, stop it (SIGINT, as Ctrl-C does)
// and check that it exits cleanly. Node only, no dependencies: it runs before and during `npm ci`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const QUERY = 'http://127.0.0.1:3200';
const OTLP_HTTP = 'http://127.0.0.1:4318';
// `npm ci` and the UI build come first: minutes on a cold 2-core machine.
const READY_WITHIN_MS = 10 * 60_000;

/** The first line of the README's first shell block whose command starts Loupe. */
export function readmeStartCommand(readme) {
  const block = /```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no ```sh block with the two commands');
  const line = block[1].split('\n').find((l) => /\bnpm start\b/.test(l));
  if (!line) throw new Error('README\'s first ```sh block has no "npm start" line');
  return line.replace(/\s+#.*$/, '').trim();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, withinMs, probe, gaveUp = () => undefined) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const reason = gaveUp();
    if (reason) throw new Error(`${what}: ${reason}`);
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs / 1000} s`);
    await sleep(500);
  }
}

function oneTrace(traceId) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'readme-check' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: randomBytes(8).toString('hex'),
                name: 'GET /readme',
                kind: 2,
                startTimeUnixNano: String(now - 5_000_000n),
                endTimeUnixNano: String(now),
              },
            ],
          },
        ],
      },
    ],
  };
}

async function main() {
  const command = readmeStartCommand(readFileSync(new URL('README.md', `file://${ROOT}/`), 'utf8'));
  console.log(`readme-start: running "${command}"`);
  // Its own process group, so stopping it stops npm, tsx and Loupe together.
  const child = spawn('bash', ['-c', command], { cwd: ROOT, stdio: 'inherit', detached: true });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  exited.then(() => {
    if (!done) console.error('readme-start: the start command exited early');
  });
  try {
    await waitFor(
      'GET /ready answers 200',
      READY_WITHIN_MS,
      async () => (await fetch(`${QUERY}/ready`)).status === 200,
      () => (child.exitCode !== null ? `the start command exited (${child.exitCode})` : undefined),
    );
    const traceId = randomBytes(16).toString('hex');
    const push = await fetch(`${OTLP_HTTP}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(oneTrace(traceId)),
    });
    if (push.status !== 200) throw new Error(`OTLP/HTTP push answered ${push.status}: ${await push.text()}`);
    let body = '';
    await waitFor(`trace ${traceId} readable`, 30_000, async () => {
      const res = await fetch(`${QUERY}/api/traces/${traceId}`);
      body = await res.text();
      return res.status === 200;
    });
    if (!body.includes('GET /readme'))
      throw new Error(`trace ${traceId} came back without its span: ${body}`);
    console.log(`readme-start: trace ${traceId} sent and read back`);
  } finally {
    done = true;
    if (child.exitCode === null) process.kill(-child.pid, 'SIGINT');
  }
  const timeout = sleep(60_000).then(() => 'timeout');
  const outcome = await Promise.race([exited, timeout]);
  if (outcome === 'timeout') {
    process.kill(-child.pid, 'SIGKILL');
    throw new Error('the start command did not stop within 60 s of Ctrl-C');
  }
  // npm passes SIGINT on; Loupe stops gracefully and exits 0 (npm reports the signal or 0).
  console.log(`readme-start: stopped (${outcome.signal ?? `exit ${outcome.code}`})`);
  await waitFor('port 3200 closed', 10_000, async () => {
    try {
      await fetch(`${QUERY}/ready`);
      return false;
    } catch {
      return true;
    }
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`readme-start: FAILED: ${err.message}`);
    process.exit(1);
  },
);

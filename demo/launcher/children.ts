import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sleep } from '../random';

/**
 * The processes the launcher starts: each in a process group of its own, so the terminal's
 * Ctrl-C reaches the launcher alone and the launcher decides the order things stop in; each
 * writing its output to `<data dir>/logs/<name>.log`; each loading `exit-with-parent.ts`.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXIT_WITH_PARENT = pathToFileURL(join(REPO_ROOT, 'demo/launcher/exit-with-parent.ts')).href;

export interface Child {
  name: string;
  pid: number;
  logPath: string;
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ChildOptions {
  /** Path from the repository root. */
  script: string;
  args?: string[];
  /** Modules loaded before the script (`--import`), paths from the repository root. */
  imports?: string[];
  env: NodeJS.ProcessEnv;
  logDir: string;
}

function isRunning(child: Child): boolean {
  return child.process.exitCode === null && child.process.signalCode === null;
}

/** Starts `node --import tsx <script>` (tsx as a loader, so the PID is the script's own). */
export function startChild(name: string, options: ChildOptions): Child {
  const logPath = join(options.logDir, `${name}.log`);
  const out = openSync(logPath, 'a');
  const imports = [
    EXIT_WITH_PARENT,
    ...(options.imports ?? []).map((p) => pathToFileURL(join(REPO_ROOT, p)).href),
  ];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...imports.flatMap((i) => ['--import', i]), options.script, ...(options.args ?? [])],
    { cwd: REPO_ROOT, env: options.env, detached: true, stdio: ['ignore', out, out, 'ipc'] },
  );
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.channel?.unref();
  return { name, pid: child.pid, logPath, process: child, exited };
}

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** SIGTERM to the child's group; SIGKILL if it has not exited after `graceMs`. Resolves once it has. */
export async function stopChild(child: Child, graceMs: number): Promise<void> {
  if (isRunning(child)) {
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => {
      console.log(`  ${child.name} did not stop within ${graceMs / 1000}s: killing it`);
      signalGroup(child, 'SIGKILL');
    }, graceMs);
    await child.exited;
    clearTimeout(timer);
  }
  // Anything the child started in its group goes with it.
  signalGroup(child, 'SIGKILL');
}

/** For an exit that cannot wait: SIGKILL to every group still there. */
export function killNow(children: Iterable<Child>): void {
  for (const child of children) signalGroup(child, 'SIGKILL');
}

/** The end of a child's log, to show why it failed. */
export function logTail(child: Child, lines = 12): string {
  try {
    return readFileSync(child.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Resolves once `url` answers 2xx; rejects (with the end of the child's log) if the child exits
 * first or `timeoutMs` passes.
 */
export async function untilHealthy(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(child)) break;
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  const why = isRunning(child)
    ? `did not answer ${url} within ${timeoutMs / 1000}s`
    : 'exited while starting';
  throw new Error(`${child.name} ${why}; the end of ${child.logPath}:\n${logTail(child)}`);
}

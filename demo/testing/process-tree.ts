import { execFileSync } from 'node:child_process';

export interface ProcessEntry {
  pid: number;
  command: string;
}

/** Every process below `root` (children, grandchildren, …), from `ps`: PID and command line. */
export function descendantsOf(root: number): ProcessEntry[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((row) => {
      const [pid, ppid, ...command] = row.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), command: command.join(' ') };
    });
  const found: ProcessEntry[] = [];
  const parents = [root];
  while (parents.length > 0) {
    const parent = parents.shift()!;
    for (const { pid, ppid, command } of table) {
      if (ppid !== parent) continue;
      found.push({ pid, command });
      parents.push(pid);
    }
  }
  return found;
}

/** Whether `pid` is still running (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to `pid` (a negative one: its process group), if it is still there. */
export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

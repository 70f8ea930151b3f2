import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Self time by file and by function in `--cpu-prof` profiles (`.cpuprofile`), for reading where a
 * bench's server spends its CPU. Prints the biggest entries of each profile found under the given
 * paths (files or directories, searched recursively).
 * Usage: npx tsx bench/cpu-profile-summary.ts <profile or dir>... [--top N]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
const paths = args.filter((_, i) => i !== topAt && i !== topAt + 1);

function profilesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(path, name));
}

const cwd = process.cwd();
function shortUrl(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '').replace(/\?.*$/, '');
  return path.startsWith(cwd) ? relative(cwd, path) : path.replace(/.*node_modules\//, 'node_modules/');
}

const pct = (us: number, total: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;

for (const file of paths.flatMap(profilesUnder)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = profile.endTime - profile.startTime;
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = shortUrl(url);
    const name = functionName || '(anonymous)';
    const fileKey = url ? where : `${name}`;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
    const fnKey = url ? `${name} ${where}:${lineNumber + 1}` : name;
    byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + us);
  }
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s profiled`);
  console.log('  self time by file:');
  for (const [key, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us, total)}  ${key}`);
  console.log('  self time by function:');
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us, total)}  ${key}`);
}

import { pathToFileURL } from 'node:url';
import { RE2JS } from 're2js';
import { compileUserRegex } from '../server/query-guards/user-regex';
import { type BenchFigure, figureRow } from './figure';

/**
 * Line filters over 1,000,000 realistic log lines (`npx tsx bench/regex.ts [lines]`, also part of
 * `npm run bench`): what Loupe runs (`compileUserRegex`: RE2 semantics in linear time, with its
 * literal-alternation fast path) beside JavaScript's backtracking RegExp, the unsafe baseline it
 * replaced, and beside the RE2 engine alone (re2js without the fast path). ADR 003 has the
 * options this chose between.
 */

const FILTERS: { label: string; pattern: string; js: RegExp }[] = [
  { label: '`error|timeout`', pattern: 'error|timeout', js: /error|timeout/ },
  { label: '`(?i)status=5\\d\\d`', pattern: '(?i)status=5\\d\\d', js: /status=5\d\d/i },
  { label: '`upstream timeout`', pattern: 'upstream timeout', js: /upstream timeout/ },
  { label: '`duration=\\d+\\.\\d+ms`', pattern: 'duration=\\d+\\.\\d+ms', js: /duration=\d+\.\d+ms/ },
  { label: '`trace_id=[0-9a-f]{32}`', pattern: 'trace_id=[0-9a-f]{32}', js: /trace_id=[0-9a-f]{32}/ },
];

function makeLines(count: number): string[] {
  const hex = (n: number) => n.toString(16).padStart(8, '0').repeat(4);
  return Array.from({ length: count }, (_, i) =>
    i % 20 === 0
      ? `level=error ts=2026-12-03T10:00:${String(i % 60).padStart(2, '0')}.123Z caller=proxy.go:88 msg="upstream timeout" method=POST path=/api/payments/${i} status=503 duration=${(i % 997) + 0.5}ms trace_id=${hex(i)} user_id=${i % 5000}`
      : `level=info ts=2026-12-03T10:00:${String(i % 60).padStart(2, '0')}.123Z caller=handler.go:42 msg="request done" method=GET path=/api/orders/${i} status=200 duration=${(i % 97) + 0.3}ms trace_id=${hex(i)} user_id=${i % 5000}`,
  );
}

/** Median over `rounds` of the ms one full pass of `test` over the lines takes; checks the count. */
function timePasses(lines: string[], test: (line: string) => boolean, expected: number, rounds = 3): number {
  const times: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const started = performance.now();
    let found = 0;
    for (const line of lines) if (test(line)) found++;
    const ms = performance.now() - started;
    if (found !== expected) throw new Error(`filter found ${found} lines, expected ${expected}`);
    if (r > 0) times.push(ms); // the first pass warms the JIT up
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

export function runRegexBench(lineCount = 1_000_000): BenchFigure[] {
  const lines = makeLines(lineCount);
  const figures: BenchFigure[] = [];
  for (const filter of FILTERS) {
    const expected = lines.filter((l) => filter.js.test(l)).length;
    const baseline = timePasses(lines, (l) => filter.js.test(l), expected);
    const loupe = compileUserRegex(filter.pattern);
    const engine = RE2JS.compile(filter.pattern);
    const ours = timePasses(lines, (l) => loupe.test(l), expected);
    const engineOnly = timePasses(lines, (l) => engine.test(l), expected);
    const over = `over ${(lineCount / 1e6).toLocaleString('en-US')}M lines`;
    figures.push({
      label: `regex line filter ${filter.label} ${over}`,
      value: Math.round(ours),
      unit: 'ms',
      baseline: Math.round(baseline),
      baselineLabel: 'JavaScript RegExp (backtracking)',
    });
    figures.push({
      label: `… the RE2 engine alone (no fast path), ${filter.label}`,
      value: Math.round(engineOnly),
      unit: 'ms',
      baseline: Math.round(baseline),
      baselineLabel: 'JavaScript RegExp',
    });
  }
  const catastrophic = `${'a'.repeat(100_000)}!`;
  const started = performance.now();
  compileUserRegex('(a+)+$').test(catastrophic);
  figures.push({
    label: '`(a+)+$` on 100,000 `a`s + `!`',
    value: Math.round((performance.now() - started) * 100) / 100,
    unit: 'ms',
    baseline: 0.85 * 1000,
    baselineLabel: 'JavaScript RegExp on only 26 `a`s (doubles per `a`; from issue 11)',
  });
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = runRegexBench(Number(process.argv[2] ?? 1_000_000));
  console.log('| figure | Loupe | baseline (same run) | ratio |\n| --- | --- | --- | --- |');
  for (const f of figures) console.log(`| ${figureRow(f).join(' | ')} |`);
}

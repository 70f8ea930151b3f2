import { forEachSpan } from '../server/otlp/span-visitor';
import { appendSearchSpans } from '../server/search-model/otlp-to-search';
import { type ColumnSpan, rebuildSpan, spanResidue } from '../server/store/encoding/v2/span-residue';
import { SearchData } from './search-data';

/**
 * What keeping each span once costs per span: `spanResidue` (block build, every span) and
 * `rebuildSpan` (trace by ID, every span of a looked-up trace), over the search benchmark's
 * typical spans. CPU time of one thread, best of a few passes after an untimed one.
 * Alone: `npx tsx bench/span-residue.ts [spans]`.
 */
const SPANS = Number(process.argv[2] ?? 100_000);
const SPANS_PER_TRACE = 10;
const PASSES = 5;

interface Input {
  buf: Buffer;
  spanAt: number;
  spanEnd: number;
  columns: ColumnSpan;
}

const data = new SearchData({
  traces: Math.ceil(SPANS / SPANS_PER_TRACE),
  spansPerTrace: SPANS_PER_TRACE,
  seed: 1,
  startMs: Date.UTC(2026, 0, 1),
  chosen: 0,
});
const inputs: Input[] = [];
const bodies: Buffer[] = [];
for (let r = 0; r < data.requests && inputs.length < SPANS; r++) {
  const { body } = data.request(r);
  bodies.push(body);
  appendSearchSpans(body, [], new Set(), (view, span) => {
    const columns = { ...span, traceId: view.idHex(view.traceIdAt, view.traceIdLength) };
    inputs.push({ buf: view.buf, spanAt: view.spanAt, spanEnd: view.spanEnd, columns });
  });
}

function cpuNs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) * 1000;
}

function best(run: () => void): number {
  run();
  let fastest = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < PASSES; pass++) fastest = Math.min(fastest, cpuNs(run));
  return fastest / inputs.length;
}

// In place, as a block build calls it: right after the model of the span is made (the span's
// bytes and model still in cache). The same walk with and without it; the difference is its cost.
let residueCount = 0;
const hookOnlyNs = best(() => {
  for (const body of bodies)
    appendSearchSpans(body, [], new Set(), (view, span) => {
      const columns: ColumnSpan = { ...span, traceId: view.idHex(view.traceIdAt, view.traceIdLength) };
      if (columns.spanId !== '') residueCount++;
    });
});
const withResidueNs = best(() => {
  for (const body of bodies)
    appendSearchSpans(body, [], new Set(), (view, span) => {
      const columns: ColumnSpan = { ...span, traceId: view.idHex(view.traceIdAt, view.traceIdLength) };
      residueCount += spanResidue(view.buf, view.spanAt, view.spanEnd, columns).length;
    });
});
// Apart, over every span's model made beforehand (each one cold in cache by then).
const residues: Uint8Array[] = new Array(inputs.length);
const residueNs = best(() => {
  for (let i = 0; i < inputs.length; i++) {
    const { buf, spanAt, spanEnd, columns } = inputs[i];
    residues[i] = spanResidue(buf, spanAt, spanEnd, columns);
  }
});
let sink = 0;
// For scale on this machine: the span walk alone, and the search model every block build already makes.
const walkNs = best(() => {
  for (const body of bodies) forEachSpan(body, () => sink++);
});
const modelNs = best(() => {
  for (const body of bodies) appendSearchSpans(body, [], new Set());
});
const rebuildNs = best(() => {
  for (let i = 0; i < inputs.length; i++) sink += rebuildSpan(inputs[i].columns, residues[i]).length;
});
// A looked-up trace's rows are decoded just before: the same 1000 spans again and again (in cache).
const HOT = Math.min(1000, inputs.length);
const REPEATS = Math.floor(inputs.length / HOT);
const hotRebuildNs =
  (best(() => {
    for (let k = 0; k < REPEATS; k++)
      for (let i = 0; i < HOT; i++) sink += rebuildSpan(inputs[i].columns, residues[i]).length;
  }) *
    inputs.length) /
  (REPEATS * HOT);

let empty = 0;
let residueBytes = 0;
let spanBytes = 0;
let attributes = 0;
for (let i = 0; i < inputs.length; i++) {
  if (residues[i].length === 0) empty++;
  residueBytes += residues[i].length;
  spanBytes += inputs[i].spanEnd - inputs[i].spanAt;
  attributes += inputs[i].columns.attributes.size;
}
const n = inputs.length;
console.log(`${n} spans, ${(spanBytes / n).toFixed(0)} B and ${(attributes / n).toFixed(1)} attributes each`);
console.log(`forEachSpan        ${walkNs.toFixed(0)} ns/span (for scale)`);
console.log(`appendSearchSpans  ${modelNs.toFixed(0)} ns/span (for scale)`);
console.log(
  `spanResidue        ${(withResidueNs - hookOnlyNs).toFixed(0)} ns/span in place (model, then residue), ${residueNs.toFixed(0)} ns/span apart (cold models)`,
);
console.log(
  `rebuildSpan        ${hotRebuildNs.toFixed(0)} ns/span over ${HOT} spans in cache, ${rebuildNs.toFixed(0)} ns/span over all (${sink > 0 && residueCount > 0 ? 'checked' : 'empty'})`,
);
console.log(
  `residues: ${((100 * empty) / n).toFixed(1)}% empty, ${(residueBytes / n).toFixed(1)} B/span on average (${((100 * residueBytes) / spanBytes).toFixed(1)}% of the span bytes)`,
);

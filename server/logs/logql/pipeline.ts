import { parseGoDuration } from '../../config-reader/config-values';
import { compileUserRegex } from '../../query-guards/user-regex';
import type { Labels } from '../model';
import type { LabelFilterExpr, LineFilterStage, PipelineStage } from './ast';
import { parseJsonLine, parseLogfmt } from './extract';

/** What a pipeline sees of one entry, and what it leaves behind. */
export interface PipelineEntry {
  line: string;
  stream: Labels;
  meta: Labels | undefined;
  /** Labels the parsers extracted; undefined until a parser runs. */
  parsed: Labels | undefined;
}

export interface CompiledPipeline {
  /** True when the pipeline only filters lines (the fast path: no labels are looked at). */
  lineFiltersOnly: boolean;
  /** Line filters alone, for the fast path. */
  matchLine(line: string): boolean;
  /** Runs every stage; false when the entry is filtered out. May change `entry.line` and `entry.parsed`. */
  run(entry: PipelineEntry): boolean;
  /**
   * The work units (`QueryDeadline.spend`) of running the pipeline on `line`, at most: one per
   * stage (per value of a line filter) per 256 characters, so a query's pauses come as often
   * with 200 filters or 256 KiB lines as with one filter on short lines.
   */
  units(line: string): number;
}

type Step = (entry: PipelineEntry) => boolean;

/** Compiles pipeline stages once per query into closures run per entry. */
export function compilePipeline(stages: PipelineStage[]): CompiledPipeline {
  const lineFiltersOnly = stages.every((s) => s.kind === 'line_filter');
  const lineTests = stages.filter((s): s is LineFilterStage => s.kind === 'line_filter').map(lineFilter);
  const steps: Step[] = stages.map(compileStage);
  const perChunk = Math.max(
    1,
    stages.reduce((n, s) => n + (s.kind === 'line_filter' ? s.values.length : 1), 0),
  );
  return {
    lineFiltersOnly,
    units: (line) => perChunk * (1 + (line.length >> 8)),
    matchLine(line) {
      for (const test of lineTests) if (!test(line)) return false;
      return true;
    },
    run(entry) {
      for (const step of steps) if (!step(entry)) return false;
      return true;
    },
  };
}

function compileStage(stage: PipelineStage): Step {
  switch (stage.kind) {
    case 'line_filter': {
      const test = lineFilter(stage);
      return (entry) => test(entry.line);
    }
    case 'logfmt':
    case 'json': {
      const parse = stage.kind === 'logfmt' ? parseLogfmt : parseJsonLine;
      return (entry) => {
        const found: Labels = {};
        parse(entry.line, found);
        entry.parsed ??= {};
        for (const [name, value] of Object.entries(found)) {
          // Loki keeps the original label and files the extracted one under `<name>_extracted`.
          const clash = name in entry.stream || (entry.meta !== undefined && name in entry.meta);
          entry.parsed[clash ? `${name}_extracted` : name] = value;
        }
        return true;
      };
    }
    case 'label_filter': {
      const test = labelFilter(stage.expr);
      return test;
    }
    case 'regexp': {
      const regex = compileUserRegex(stage.pattern);
      return (entry) => {
        const groups = regex.namedGroups(entry.line);
        if (groups) {
          entry.parsed ??= {};
          for (const [name, value] of Object.entries(groups)) {
            const clash = name in entry.stream || (entry.meta !== undefined && name in entry.meta);
            entry.parsed[clash ? `${name}_extracted` : name] = value ?? '';
          }
        }
        return true;
      };
    }
    case 'drop': {
      const names = stage.names;
      return (entry) => {
        // Metadata objects may be shared with the store: copy before removing.
        if (entry.meta && names.some((n) => n in entry.meta!)) {
          entry.meta = { ...entry.meta };
          for (const n of names) delete entry.meta[n];
        }
        if (entry.parsed) for (const n of names) delete entry.parsed[n];
        return true;
      };
    }
    case 'line_format': {
      const template = stage.template;
      return (entry) => {
        entry.line = template.replace(/\{\{\s*\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, name: string) =>
          labelValue(entry, name),
        );
        return true;
      };
    }
  }
}

function lineFilter(stage: LineFilterStage): (line: string) => boolean {
  const { op, values } = stage;
  if (op === '|=' || op === '!=') {
    const positive = op === '|=';
    if (values.length === 1) {
      const needle = values[0];
      if (needle === '') return () => positive;
      return positive ? (line) => line.includes(needle) : (line) => !line.includes(needle);
    }
    return (line) => values.some((v) => line.includes(v)) === positive;
  }
  const regexes = values.map((v) => compileUserRegex(v));
  const positive = op === '|~';
  return (line) => regexes.some((r) => r.test(line)) === positive;
}

/** A label as the filters see it: extracted first, then structured metadata, then the stream. */
export function labelValue(entry: PipelineEntry, name: string): string {
  return entry.parsed?.[name] ?? entry.meta?.[name] ?? entry.stream[name] ?? '';
}

function labelFilter(expr: LabelFilterExpr): Step {
  if (expr.kind !== 'compare') {
    const left = labelFilter(expr.left);
    const right = labelFilter(expr.right);
    return expr.kind === 'and' ? (e) => left(e) && right(e) : (e) => left(e) || right(e);
  }
  const { name, op, value } = expr;
  if (expr.number !== undefined) {
    const target = expr.number;
    const toNumber = expr.isDuration
      ? (text: string) => {
          const ms = parseGoDuration(text);
          return ms === undefined ? Number.NaN : ms / 1000;
        }
      : (text: string) => (text === '' ? Number.NaN : Number(text));
    const compare = numericCompare(op);
    return (entry) => {
      const n = toNumber(labelValue(entry, name));
      return !Number.isNaN(n) && compare(n, target);
    };
  }
  switch (op) {
    case '=':
      return (entry) => labelValue(entry, name) === value;
    case '!=':
      return (entry) => labelValue(entry, name) !== value;
    default: {
      const regex = compileUserRegex(value, 'full');
      const positive = op === '=~';
      return (entry) => regex.test(labelValue(entry, name)) === positive;
    }
  }
}

function numericCompare(op: string): (a: number, b: number) => boolean {
  switch (op) {
    case '>':
      return (a, b) => a > b;
    case '>=':
      return (a, b) => a >= b;
    case '<':
      return (a, b) => a < b;
    case '<=':
      return (a, b) => a <= b;
    case '!=':
      return (a, b) => a !== b;
    default:
      return (a, b) => a === b;
  }
}

/** Whether a stream's index labels satisfy a selector's matchers. */
export function compileMatchers(
  matchers: { name: string; op: string; value: string }[],
): (labels: Labels) => boolean {
  const tests = matchers.map(({ name, op, value }) => {
    if (op === '=') return (l: Labels) => (l[name] ?? '') === value;
    if (op === '!=') return (l: Labels) => (l[name] ?? '') !== value;
    const regex = compileUserRegex(value, 'full');
    return op === '=~' ? (l: Labels) => regex.test(l[name] ?? '') : (l: Labels) => !regex.test(l[name] ?? '');
  });
  return (labels) => tests.every((t) => t(labels));
}

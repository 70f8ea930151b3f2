import { RE2JS } from 're2js';
import type { DerivedField } from '../api/client';
import { type LogRow, rowField } from './log-rows';

/**
 * Grafana's derived fields for Loki: a regex over the line (or, with `matcherType: label`, a label
 * or metadata key) whose first capture group is the value, turned into a link. With a
 * `datasourceUid` the link is internal (here: the trace, opened beside the logs) and `url` is the
 * query for that data source; without one, `url` is a template opened in a new tab.
 */

/** Where a derived field's link goes. */
export type LinkTarget = { kind: 'trace'; traceId: string } | { kind: 'external'; url: string };

export interface DerivedLink {
  /** The field's name, e.g. "TraceID". */
  name: string;
  value: string;
  target: LinkTarget;
  /** Grafana's `urlDisplayLabel`, if set. */
  label?: string;
}

export interface CompiledField {
  field: DerivedField;
  /**
   * Null for `matcherType: label`. RE2 (re2js), the engine the server checks the config with and
   * runs every query regex with: linear time, so no field can freeze the tab on a long line.
   */
  regex: RE2JS | null;
}

/** A piece of a log line, linked when a derived field matched it. */
export interface LineSegment {
  text: string;
  link?: DerivedLink;
}

/**
 * Compiles the configured fields once per config. A regex RE2 cannot read (the server refuses
 * one at start, but the config may come from elsewhere) is left out and reported, so one bad
 * field does not hide the logs.
 */
export function compileDerivedFields(fields: readonly DerivedField[]): {
  compiled: CompiledField[];
  problems: string[];
} {
  const compiled: CompiledField[] = [];
  const problems: string[] = [];
  for (const field of fields) {
    if (!field?.name || !field.matcherRegex) continue;
    if (field.matcherType === 'label') {
      compiled.push({ field, regex: null });
      continue;
    }
    try {
      compiled.push({ field, regex: RE2JS.compile(field.matcherRegex) });
    } catch (err) {
      problems.push(`Derived field "${field.name}": ${(err as Error).message}`);
    }
  }
  return { compiled, problems };
}

/**
 * Grafana's value variables in a link template: `${__value.raw}`, `${__value.text}`,
 * `$__value.raw`, `$__value.text`. Other variables are left as written.
 * @example renderUrlTemplate('https://ci/${__value.raw}', 'abc') === 'https://ci/abc'
 */
export function renderUrlTemplate(template: string, value: string): string {
  return template.replace(/\$\{__value\.(?:raw|text)\}|\$__value\.(?:raw|text)\b/g, () => value);
}

/** Where a field's link goes for this value; undefined when the field has neither target. */
export function linkTarget(field: DerivedField, value: string): LinkTarget | undefined {
  const url = field.url?.trim() ?? '';
  if (field.datasourceUid) {
    // Internal link: `url` is the query for the trace data source, i.e. the trace ID.
    const traceId = url ? renderUrlTemplate(url, value).trim() : value;
    return traceId ? { kind: 'trace', traceId } : undefined;
  }
  if (url) return { kind: 'external', url: renderUrlTemplate(url, value) };
  return undefined;
}

function toLink(field: DerivedField, value: string): DerivedLink | undefined {
  const target = linkTarget(field, value);
  if (!target) return undefined;
  return { name: field.name, value, target, label: field.urlDisplayLabel };
}

interface Match {
  start: number;
  end: number;
  value: string;
}

/** Every match of a field in the line; the span (UTF-16 indices) is the first group's, or the whole match's. */
function matchesIn(line: string, regex: RE2JS): Match[] {
  const out: Match[] = [];
  const matcher = regex.matcher(line);
  const group = regex.groupCount() > 0 ? 1 : 0;
  while (matcher.find()) {
    const value = matcher.group(group) ?? '';
    if (value === '') continue;
    out.push({ start: matcher.start(group), end: matcher.end(group), value });
  }
  return out;
}

/**
 * The line cut into plain text and linked values, in order. Where two fields match overlapping
 * text, the first configured one wins.
 */
export function lineSegments(line: string, fields: readonly CompiledField[]): LineSegment[] {
  const found: (Match & { link: DerivedLink })[] = [];
  for (const { field, regex } of fields) {
    if (!regex) continue;
    for (const match of matchesIn(line, regex)) {
      const link = toLink(field, match.value);
      if (link) found.push({ ...match, link });
    }
  }
  if (found.length === 0) return [{ text: line }];
  found.sort((a, b) => a.start - b.start);
  const segments: LineSegment[] = [];
  let at = 0;
  for (const match of found) {
    if (match.start < at) continue; // overlaps an earlier link
    if (match.start > at) segments.push({ text: line.slice(at, match.start) });
    segments.push({ text: line.slice(match.start, match.end), link: match.link });
    at = match.end;
  }
  if (at < line.length) segments.push({ text: line.slice(at) });
  return segments;
}

/** The name given to the trace link of OTLP records: the first internal field's, else "Trace". */
export function traceFieldName(fields: readonly CompiledField[]): string {
  return fields.find((f) => f.field.datasourceUid)?.field.name ?? 'Trace';
}

/**
 * The derived fields of one row, for its details: each configured field's first value, plus the
 * trace of an OTLP record (`trace_id` in its structured metadata) without any regex. A trace ID
 * found twice is listed once.
 */
export function rowDerivedLinks(row: LogRow, fields: readonly CompiledField[]): DerivedLink[] {
  const links: DerivedLink[] = [];
  for (const { field, regex } of fields) {
    const value = regex ? matchesIn(row.line, regex)[0]?.value : rowField(row, field.matcherRegex);
    if (!value) continue;
    const link = toLink(field, value);
    if (link) links.push(link);
  }
  const otlpTraceId = row.structuredMetadata.trace_id;
  const alreadyLinked = links.some(
    (l) => l.target.kind === 'trace' && l.target.traceId.toLowerCase() === otlpTraceId?.toLowerCase(),
  );
  if (otlpTraceId && !alreadyLinked) {
    links.unshift({
      name: traceFieldName(fields),
      value: otlpTraceId,
      target: { kind: 'trace', traceId: otlpTraceId },
    });
  }
  return links;
}

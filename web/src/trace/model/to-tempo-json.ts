import { hexToBase64 } from './ids';
import type { KeyValue, ParsedTrace, Resource, Scope, Span } from './types';

/** Unix nanoseconds as decimal text from the trace's base second plus a nanosecond offset. */
function unixNanoText(baseSec: number, ns: number): string {
  const sec = baseSec + Math.floor(ns / 1e9);
  const frac = ns - Math.floor(ns / 1e9) * 1e9;
  return sec > 0 ? `${sec}${String(frac).padStart(9, '0')}` : String(frac);
}

function spanJson(span: Span, baseSec: number) {
  return {
    traceId: hexToBase64(span.traceId),
    spanId: hexToBase64(span.spanId),
    ...(span.parentSpanId ? { parentSpanId: hexToBase64(span.parentSpanId) } : {}),
    name: span.name,
    ...(span.kind !== 'UNSPECIFIED' ? { kind: `SPAN_KIND_${span.kind}` } : {}),
    startTimeUnixNano: unixNanoText(baseSec, span.startNs),
    endTimeUnixNano: unixNanoText(baseSec, span.startNs + span.durationNs),
    ...(span.attributes.length ? { attributes: span.attributes } : {}),
    ...(span.events.length
      ? {
          events: span.events.map((e) => ({
            timeUnixNano: unixNanoText(baseSec, e.timeNs),
            name: e.name,
            ...(e.attributes.length ? { attributes: e.attributes } : {}),
          })),
        }
      : {}),
    ...(span.links.length
      ? {
          links: span.links.map((l) => ({
            traceId: hexToBase64(l.traceId),
            spanId: hexToBase64(l.spanId),
            ...(l.attributes.length ? { attributes: l.attributes } : {}),
          })),
        }
      : {}),
    ...(span.statusCode !== 'UNSET' || span.statusMessage
      ? {
          status: {
            ...(span.statusMessage ? { message: span.statusMessage } : {}),
            ...(span.statusCode !== 'UNSET' ? { code: `STATUS_CODE_${span.statusCode}` } : {}),
          },
        }
      : {}),
  };
}

/**
 * Writes spans back as the JSON `GET /api/v2/traces/<id>` returns (base64 IDs, enum names, int64
 * as text, zero values left out), grouped by resource and scope as they arrived. Used to download
 * a trace that was fetched as protobuf.
 */
export function toTempoJson(parsed: ParsedTrace): string {
  const byResource = new Map<Resource, Map<Scope, Span[]>>();
  for (const span of parsed.spans) {
    let scopes = byResource.get(span.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(span.resource, scopes);
    }
    const list = scopes.get(span.scope);
    if (list) list.push(span);
    else scopes.set(span.scope, [span]);
  }
  const attributes = (list: KeyValue[]) => (list.length ? { attributes: list } : {});
  const resourceSpans = [...byResource].map(([resource, scopes]) => ({
    resource: attributes(resource.attributes),
    scopeSpans: [...scopes].map(([scope, spans]) => ({
      scope: {
        ...(scope.name ? { name: scope.name } : {}),
        ...(scope.version ? { version: scope.version } : {}),
      },
      spans: spans.map((span) => spanJson(span, parsed.baseSec)),
    })),
  }));
  const partial =
    parsed.partialMessage !== undefined ? { status: 'PARTIAL', message: parsed.partialMessage } : {};
  return JSON.stringify({ trace: { resourceSpans }, ...partial });
}

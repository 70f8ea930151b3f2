import type { TraceLayout } from '../model/layout';

/** Partial traces, broken trees and unknown deep-linked spans are said out loud, never hidden. */
export function TraceNotices({ layout, unknownSpan }: { layout: TraceLayout; unknownSpan: string | null }) {
  const notices: string[] = [];
  if (layout.partialMessage !== undefined) {
    notices.push(`Partial trace: ${layout.partialMessage || 'the server returned only part of it.'}`);
  }
  notices.push(...layout.warnings);
  if (unknownSpan) notices.push(`Span ${unknownSpan} is not in this trace.`);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="status">
      <ul>
        {notices.map((text) => (
          <li key={text} className="notice">
            <span aria-hidden="true">⚠ </span>
            {text}
          </li>
        ))}
      </ul>
    </div>
  );
}

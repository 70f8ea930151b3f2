import { useState } from 'react';

const DEFAULT_LIMIT = 400;

function formatSize(chars: number): string {
  return chars < 1024 ? `${chars} characters` : `${(chars / 1024).toFixed(1)} k characters`;
}

/**
 * A value that may be huge: only the first `limit` characters are laid out until the user asks
 * for the rest. `multiline` renders it preformatted (stack traces, SQL).
 */
export function TruncatedValue({
  value,
  limit = DEFAULT_LIMIT,
  multiline = false,
}: {
  value: string;
  limit?: number;
  multiline?: boolean;
}) {
  const [expanded, setExpanded] = useState(false);
  const long = value.length > limit;
  const shown = long && !expanded ? `${value.slice(0, limit)}…` : value;
  const Tag = multiline ? 'pre' : 'span';
  return (
    <>
      <Tag className={multiline ? 'value-pre' : 'value-text'}>{shown}</Tag>
      {long && (
        <button
          type="button"
          className="link-button"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? 'Show less' : `Show more (${formatSize(value.length)})`}
        </button>
      )}
    </>
  );
}

import { type ReactNode, useCallback, useState } from 'react';
import { useShowUtc } from '../state/preferences';
import type { PaneOpener } from './DerivedLinkAnchor';
import type { CompiledField } from './derived-fields';
import { LogRowItem } from './LogRowItem';
import type { LogRow } from './log-rows';

/**
 * What a list of log lines needs to draw one: the line, whose details open and close on a click
 * (which lines are open is kept here, by row ID), in the user's time zone, with its derived
 * fields' links opened by `opener`. The list owns only its layout (plain or virtualised).
 *
 * @returns a function drawing `row`; it changes only when a line opens or closes, or a
 *   preference or argument changes, and `LogRowItem` is memoised, so unchanged lines do not redraw.
 */
export function useLogRowRenderer(
  fields: readonly CompiledField[],
  opener: PaneOpener,
): (row: LogRow) => ReactNode {
  const utc = useShowUtc();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback(
    (id: string) =>
      setExpanded((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  return useCallback(
    (row: LogRow) => (
      <LogRowItem
        row={row}
        fields={fields}
        expanded={expanded.has(row.id)}
        utc={utc}
        opener={opener}
        onToggle={toggle}
      />
    ),
    [fields, expanded, utc, opener, toggle],
  );
}

import { type CSSProperties, type RefObject, useLayoutEffect, useState } from 'react';
import { type Area, placeTooltip, type TooltipPlacementInput } from './tooltip-placement';

/** Space kept between a tooltip and the edge of what is visible. */
const EDGE_MARGIN = 4;

/**
 * What can be seen of `container`, in its own coordinates: the viewport cut down by every
 * ancestor that clips or scrolls its content (the landing page and the metrics pane scroll).
 */
function visibleArea(container: HTMLElement): Area {
  const area = {
    left: 0,
    top: 0,
    right: document.documentElement.clientWidth || window.innerWidth,
    bottom: document.documentElement.clientHeight || window.innerHeight,
  };
  for (let el = container.parentElement; el; el = el.parentElement) {
    const style = getComputedStyle(el);
    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
    const rect = el.getBoundingClientRect();
    const left = rect.left + el.clientLeft;
    const top = rect.top + el.clientTop;
    area.left = Math.max(area.left, left);
    area.top = Math.max(area.top, top);
    area.right = Math.min(area.right, left + (el.clientWidth || rect.width));
    area.bottom = Math.min(area.bottom, top + (el.clientHeight || rect.height));
  }
  const origin = container.getBoundingClientRect();
  return {
    left: area.left - origin.left + EDGE_MARGIN,
    top: area.top - origin.top + EDGE_MARGIN,
    right: area.right - origin.left - EDGE_MARGIN,
    bottom: area.bottom - origin.top - EDGE_MARGIN,
  };
}

type Options = Pick<TooltipPlacementInput, 'gap' | 'lift' | 'prefer'>;

/**
 * The `left`/`top` style of an absolutely positioned tooltip beside `anchor`, placed by
 * `placeTooltip` from its measured size so it stays fully visible; measured again before paint
 * whenever the anchor or `content` changes, and on scroll or resize while shown.
 */
export function useTooltipPlacement(
  tooltip: RefObject<HTMLElement | null>,
  anchor: { x: number; y: number } | undefined,
  options: Options,
  content: unknown,
): CSSProperties {
  const { gap, lift, prefer } = options;
  const [measured, setMeasured] = useState<{ left: number; top: number } | null>(null);
  const [x, y] = [anchor?.x, anchor?.y];
  // biome-ignore lint/correctness/useExhaustiveDependencies: `content` is a trigger: new content, new size
  useLayoutEffect(() => {
    const element = tooltip.current;
    if (x === undefined || y === undefined || !element) return;
    const place = () => {
      const container = (element.offsetParent as HTMLElement | null) ?? element.parentElement;
      if (!container) return;
      const size = { width: element.offsetWidth, height: element.offsetHeight };
      const { left, top } = placeTooltip({
        anchor: { x, y },
        size,
        area: visibleArea(container),
        gap,
        lift,
        prefer,
      });
      setMeasured((current) => (current?.left === left && current.top === top ? current : { left, top }));
    };
    place();
    window.addEventListener('scroll', place, { capture: true, passive: true });
    window.addEventListener('resize', place);
    return () => {
      window.removeEventListener('scroll', place, { capture: true });
      window.removeEventListener('resize', place);
    };
  }, [tooltip, x, y, gap, lift, prefer, content]);
  // Before the first measurement (never painted: the layout effect runs first): right of the anchor.
  return measured ?? { left: (x ?? 0) + gap, top: (y ?? 0) - lift };
}

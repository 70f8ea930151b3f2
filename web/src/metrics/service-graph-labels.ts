import {
  errorLabel,
  errorPercent,
  type GraphEdge,
  type GraphNode,
  type GraphSize,
  type LaidOutEdge,
  layoutServiceGraph,
} from './service-graph';
import {
  type Box,
  boxesOverlap,
  type Curve,
  centredBox,
  crossesBox,
  edgeCurve,
  type Point,
  pointOnCurve,
  sampleCurve,
} from './service-graph-geometry';
import { estimateTextWidth } from './text-width';
import { formatValue } from './value-format';

/** Font sizes the picture is laid out for; the component draws with these, not with CSS. */
export const EDGE_LABEL_FONT_PX = 10;
export const NODE_NAME_FONT_PX = 12;
const LINE_HEIGHT = 1.25;
/** Space between a node's circle and the top of its name. */
const NAME_GAP = 3;
/** Room kept around the drawing so halos and focus rings are not cut off. */
const MARGIN = 8;

export interface EdgeLabel {
  text: string;
  /** False when the short form (`0.5/s · 12%`) had to stand in for the full text. */
  full: boolean;
  /** Centre of the text. */
  x: number;
  y: number;
  box: Box;
}

export interface DrawnEdge extends LaidOutEdge {
  curve: Curve;
  /** "0.5 req/s · 12 % errors": the label's full text, also the edge's hover title. */
  description: string;
  /** Absent only when no room was found for it anywhere near its edge. */
  label?: EdgeLabel;
}

export interface ServiceGraphPicture {
  nodes: GraphNode[];
  edges: DrawnEdge[];
  /** The SVG's viewBox: everything drawn, with a margin. */
  view: { x: number; y: number; width: number; height: number };
}

/** The box a service's name is drawn in, centred below its circle. */
export function nodeNameBox(node: GraphNode): Box {
  const height = NODE_NAME_FONT_PX * LINE_HEIGHT;
  const top = node.y + node.radius + NAME_GAP;
  return centredBox(node.x, top + height / 2, estimateTextWidth(node.name, NODE_NAME_FONT_PX), height);
}

const nodeCircleBox = (node: GraphNode): Box => centredBox(node.x, node.y, node.radius * 2, node.radius * 2);

/** Where along its curve a label may sit, most wanted first: the middle, then outwards. */
const ALONG = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8];
/** Offsets from the curve, in label heights: just above, just below, on it, one more row out. */
const ACROSS = [-0.6, 0.6, 0, -1.7, 1.7];

const fullEdgeText = (edge: GraphEdge) => `${formatValue(edge.rate)} req/s · ${errorLabel(edge.errorRatio)}`;
const shortEdgeText = (edge: GraphEdge) => `${formatValue(edge.rate)}/s · ${errorPercent(edge.errorRatio)}%`;

/**
 * Labels for every edge, each near its own curve, none touching another label, a node or a
 * node's name (`obstacles`), and inside the layout's width. Greedy in edge order: each label takes
 * the first free spot (in `ALONG` × `ACROSS` order) that crosses the fewest other edges
 * (`polylines`, one per edge); with `allowShort` a label that finds no spot for its full text
 * tries the short form. Edges without a spot get none.
 */
function placeLabels(
  edges: readonly (LaidOutEdge & { curve: Curve })[],
  polylines: readonly (readonly Point[])[],
  obstacles: readonly Box[],
  width: number,
  allowShort: boolean,
) {
  const placed: Box[] = [];
  const height = EDGE_LABEL_FONT_PX * LINE_HEIGHT;
  const isFree = (box: Box) =>
    !obstacles.some((taken) => boxesOverlap(box, taken, 2)) &&
    !placed.some((taken) => boxesOverlap(box, taken, 2));

  return edges.map((edge, index) => {
    const texts = [{ text: fullEdgeText(edge), full: true }];
    if (allowShort) texts.push({ text: shortEdgeText(edge), full: false });
    for (const { text, full } of texts) {
      const textWidth = estimateTextWidth(text, EDGE_LABEL_FONT_PX);
      let best: { label: EdgeLabel; cost: number } | undefined;
      ALONG.forEach((t, along) => {
        const point = pointOnCurve(edge.curve, t);
        ACROSS.forEach((across, k) => {
          const x = Math.min(Math.max(point.x, textWidth / 2), width - textWidth / 2);
          const y = point.y + across * height;
          const box = centredBox(x, y, textWidth, height);
          if (box.left < 0 || box.right > width || !isFree(box)) return;
          const crossings = polylines.filter(
            (points, other) => other !== index && crossesBox(points, box),
          ).length;
          const cost = crossings * 1000 + along * ACROSS.length + k;
          if (!best || cost < best.cost) best = { label: { text, full, x, y, box }, cost };
        });
      });
      if (best) {
        placed.push(best.label.box);
        return best.label;
      }
    }
    return undefined;
  });
}

/**
 * Sizes tried in turn until every label fits: taller rows first (labels sit between rows),
 * then short labels, then wider columns too.
 */
const ATTEMPTS = [
  { rows: 1, columns: 1, allowShort: false },
  { rows: 1.25, columns: 1, allowShort: false },
  { rows: 1.5, columns: 1, allowShort: false },
  { rows: 1, columns: 1, allowShort: true },
  { rows: 1.5, columns: 1, allowShort: true },
  { rows: 1.5, columns: 1.25, allowShort: true },
  { rows: 2, columns: 1.5, allowShort: true },
];

function union(boxes: readonly Box[]): Box {
  return {
    left: Math.min(...boxes.map((b) => b.left)),
    top: Math.min(...boxes.map((b) => b.top)),
    right: Math.max(...boxes.map((b) => b.right)),
    bottom: Math.max(...boxes.map((b) => b.bottom)),
  };
}

/**
 * The whole service graph ready to draw: nodes in columns (see `layoutServiceGraph`), a curve per
 * call and a label per curve placed clear of every other label and of every node and its name,
 * and a viewBox holding all of it. Deterministic.
 */
export function drawServiceGraph(edges: readonly GraphEdge[], size: GraphSize): ServiceGraphPicture {
  let picture: ServiceGraphPicture | undefined;
  for (const attempt of ATTEMPTS) {
    const rowHeight = size.rowHeight * attempt.rows;
    const layout = layoutServiceGraph(edges, {
      ...size,
      rowHeight,
      columnWidth: size.columnWidth * attempt.columns,
    });
    const curved = layout.edges.map((e) => ({ ...e, curve: edgeCurve(e.from, e.to, rowHeight) }));
    const polylines = curved.map((e) => sampleCurve(e.curve));
    const nodeBoxes = layout.nodes.flatMap((n) => [nodeCircleBox(n), nodeNameBox(n)]);
    const labels = placeLabels(curved, polylines, nodeBoxes, layout.width, attempt.allowShort);
    const drawn = curved.map((e, i) => ({ ...e, description: fullEdgeText(e), label: labels[i] }));
    const content = union([
      ...nodeBoxes,
      ...labels.flatMap((label) => (label ? [label.box] : [])),
      ...polylines.flat().map((p) => ({ left: p.x, top: p.y, right: p.x, bottom: p.y })),
    ]);
    // The full width of the columns, so sizes stay in step with the layout; only as tall as needed.
    const left = Math.floor(Math.min(content.left - MARGIN, 0));
    const right = Math.ceil(Math.max(content.right + MARGIN, layout.width));
    const top = Math.floor(content.top - MARGIN);
    const bottom = Math.ceil(content.bottom + MARGIN);
    picture = {
      nodes: layout.nodes,
      edges: drawn,
      view: { x: left, y: top, width: right - left, height: bottom - top },
    };
    if (labels.every((l) => l !== undefined)) break;
  }
  return picture as ServiceGraphPicture;
}

import type { MatrixSeries } from './prometheus-api';
import { buildEdges, type GraphNode } from './service-graph';
import { type Box, pointOnCurve } from './service-graph-geometry';
import {
  drawServiceGraph,
  EDGE_LABEL_FONT_PX,
  NODE_NAME_FONT_PX,
  type ServiceGraphPicture,
} from './service-graph-labels';
import { estimateTextWidth } from './text-width';

// The boxes below are rebuilt here from what is drawn (centre, text, font size), not taken from
// the layout's own bookkeeping, so a layout that misjudged its boxes fails.
const SIZE = { columnWidth: 200, rowHeight: 96, padding: 16 };
const series = (client: string, server: string, value: number): MatrixSeries => ({
  metric: { client, server },
  values: [[1000, String(value)]],
});
const edgesOf = (calls: [string, string, number, number][]) =>
  buildEdges(
    calls.map(([client, server, rate]) => series(client, server, rate)),
    calls.map(([client, server, rate, errorRatio]) => series(client, server, rate * errorRatio)),
  );

const textBox = (x: number, y: number, text: string, fontPx: number): Box => {
  const width = estimateTextWidth(text, fontPx);
  const height = fontPx * 1.2;
  return { left: x - width / 2, right: x + width / 2, top: y - height / 2, bottom: y + height / 2 };
};
const circleBox = (n: GraphNode): Box => ({
  left: n.x - n.radius,
  right: n.x + n.radius,
  top: n.y - n.radius,
  bottom: n.y + n.radius,
});
/** Where the name is drawn: a 12 px line starting just below the circle. */
const nameBox = (n: GraphNode): Box => {
  const box = textBox(n.x, 0, n.name, NODE_NAME_FONT_PX);
  return { ...box, top: n.y + n.radius, bottom: n.y + n.radius + NODE_NAME_FONT_PX * 1.5 };
};
const overlap = (a: Box, b: Box) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** Every pair of things that overlap, by name: empty when the picture is readable. */
function collisions(picture: ServiceGraphPicture): string[] {
  const labels = picture.edges.flatMap((e) =>
    e.label
      ? [
          {
            name: `label of ${e.client}→${e.server}`,
            box: textBox(e.label.x, e.label.y, e.label.text, EDGE_LABEL_FONT_PX),
          },
        ]
      : [],
  );
  const others = picture.nodes.flatMap((n) => [
    { name: `circle of ${n.name}`, box: circleBox(n) },
    { name: `name of ${n.name}`, box: nameBox(n) },
  ]);
  const found: string[] = [];
  labels.forEach((label, i) => {
    for (const other of [...labels.slice(i + 1), ...others]) {
      if (overlap(label.box, other.box)) found.push(`${label.name} / ${other.name}`);
    }
  });
  return found;
}

function insideView(picture: ServiceGraphPicture, box: Box): boolean {
  const { x, y, width, height } = picture.view;
  return box.left >= x && box.top >= y && box.right <= x + width && box.bottom <= y + height;
}

describe('service graph labels', () => {
  // The demo's services: user → frontend → {inventory, orders, shipping};
  // orders → {inventory, shipping, payments}; payments → payment-gateway.
  const demo = edgesOf([
    ['user', 'frontend', 0.535, 0],
    ['frontend', 'inventory', 0.344, 0],
    ['frontend', 'orders', 0.151, 0.029],
    ['frontend', 'shipping', 0.277, 0.023],
    ['orders', 'inventory', 0.109, 0.041],
    ['orders', 'payments', 0.101, 0],
    ['orders', 'shipping', 0.205, 0.12],
    ['payments', 'payment-gateway', 0.112, 0.08],
  ]);

  it("gives every call of the demo's graph its full label, clear of the others, the nodes and their names", () => {
    const picture = drawServiceGraph(demo, SIZE);
    expect(collisions(picture)).toEqual([]);
    const label = (client: string, server: string) =>
      picture.edges.find((e) => e.client === client && e.server === server)?.label?.text;
    expect(label('orders', 'shipping')).toBe('0.205 req/s · 12 % errors');
    expect(label('user', 'frontend')).toBe('0.535 req/s · 0 % errors');
    for (const edge of picture.edges) {
      expect(edge.label?.full, `${edge.client}→${edge.server}`).toBe(true);
      expect(
        insideView(picture, textBox(edge.label!.x, edge.label!.y, edge.label!.text, EDGE_LABEL_FONT_PX)),
      ).toBe(true);
    }
  });

  it('puts each label beside its own curve', () => {
    const picture = drawServiceGraph(demo, SIZE);
    for (const edge of picture.edges) {
      const label = edge.label!;
      const nearest = Math.min(
        ...Array.from({ length: 101 }, (_, i) => {
          const p = pointOnCurve(edge.curve, i / 100);
          return Math.hypot(p.x - label.x, p.y - label.y);
        }),
      );
      expect(nearest, `${edge.client}→${edge.server}`).toBeLessThan(EDGE_LABEL_FONT_PX * 2.5);
    }
  });

  it('keeps labels apart in a wide fan-out of twelve services', () => {
    const picture = drawServiceGraph(
      edgesOf([
        ['web', 'gateway', 12, 0],
        ...['auth', 'cart', 'catalog', 'checkout', 'profile', 'recommend', 'search', 'shipping'].map(
          (s, i): [string, string, number, number] => ['gateway', s, 1.5 + i / 10, i / 50],
        ),
        ['checkout', 'cart', 0.4, 0],
        ['checkout', 'payment', 0.4, 0.06],
        ['checkout', 'shipping', 0.4, 0],
        ['cart', 'db', 2.2, 0],
        ['catalog', 'db', 1.1, 0.001],
        ['profile', 'db', 0.7, 0],
        ['recommend', 'catalog', 0.9, 0],
      ]),
      SIZE,
    );
    expect(picture.nodes).toHaveLength(12);
    expect(collisions(picture)).toEqual([]);
    expect(picture.edges.every((e) => e.label !== undefined)).toBe(true);
  });

  it('still never overlaps when every caller calls every callee, shortening labels as needed', () => {
    const callers = ['a1', 'a2', 'a3', 'a4', 'a5'];
    const callees = ['b1', 'b2', 'b3', 'b4', 'b5'];
    const picture = drawServiceGraph(
      edgesOf(
        callers.flatMap((a) => callees.map((b): [string, string, number, number] => [a, b, 123.456, 0.1234])),
      ),
      SIZE,
    );
    expect(collisions(picture)).toEqual([]);
    // A label with no room left keeps its text in the edge's title.
    for (const edge of picture.edges) {
      expect(edge.description).toBe('123 req/s · 12 % errors');
      if (edge.label && !edge.label.full) expect(edge.label.text).toBe('123/s · 12%');
    }
  });

  it('makes room above for a call back to an earlier service and for a self-call', () => {
    const picture = drawServiceGraph(
      edgesOf([
        ['a', 'b', 1, 0],
        ['b', 'c', 1, 0],
        ['c', 'a', 1, 0],
        ['b', 'b', 1, 0.5],
      ]),
      SIZE,
    );
    expect(collisions(picture)).toEqual([]);
    for (const edge of picture.edges) {
      expect(edge.label).toBeDefined();
      for (let t = 0; t <= 1; t += 0.1) {
        const p = pointOnCurve(edge.curve, t);
        expect(insideView(picture, { left: p.x, right: p.x, top: p.y, bottom: p.y })).toBe(true);
      }
    }
  });

  it('draws the same picture whatever the order of the edges', () => {
    expect(drawServiceGraph([...demo].reverse(), SIZE)).toEqual(drawServiceGraph(demo, SIZE));
  });
});

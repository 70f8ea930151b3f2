import type { MatrixSeries } from './prometheus-api';
import { buildEdges, errorLabel, errorLevel, layoutServiceGraph } from './service-graph';

const series = (client: string, server: string, ...values: string[]): MatrixSeries => ({
  metric: { client, server },
  values: values.map((v, i) => [1000 + i * 15, v]),
});

const SIZE = { columnWidth: 100, rowHeight: 60, padding: 10 };

describe('service graph edges', () => {
  it('averages rates over the range and computes error ratios', () => {
    const edges = buildEdges(
      [series('frontend', 'checkout', '1', '3'), series('checkout', 'payment', '2')],
      [series('checkout', 'payment', '0.5')],
    );
    expect(edges).toEqual([
      { client: 'checkout', server: 'payment', rate: 2, failedRate: 0.5, errorRatio: 0.25 },
      { client: 'frontend', server: 'checkout', rate: 2, failedRate: 0, errorRatio: 0 },
    ]);
  });

  it('colours by error ratio: green under 1 %, amber under 5 %, red from 5 %', () => {
    expect([0, 0.0099, 0.01, 0.049, 0.05, 1].map(errorLevel)).toEqual([
      'ok',
      'ok',
      'warn',
      'warn',
      'bad',
      'bad',
    ]);
    expect(errorLabel(0.004)).toBe('0.4 % errors');
    expect(errorLabel(0.25)).toBe('25 % errors');
  });
});

describe('service graph layout', () => {
  // user → frontend → {checkout, search}; checkout → payment → checkout (a cycle)
  const edges = buildEdges(
    [
      series('user', 'frontend', '10'),
      series('frontend', 'checkout', '4'),
      series('frontend', 'search', '6'),
      series('checkout', 'payment', '4'),
      series('payment', 'checkout', '1'),
    ],
    [],
  );

  it('puts callers left of callees, one column per hop, and survives cycles', () => {
    const layout = layoutServiceGraph(edges, SIZE);
    const depth = Object.fromEntries(layout.nodes.map((n) => [n.name, n.depth]));
    expect(depth).toEqual({ user: 0, frontend: 1, checkout: 2, search: 2, payment: 3 });
    const x = Object.fromEntries(layout.nodes.map((n) => [n.name, n.x]));
    expect(x.user).toBeLessThan(x.frontend);
    expect(x.checkout).toBe(x.search);
    expect(layout.width).toBe(4 * 100 + 20);
  });

  it('sizes nodes by the rate they serve, and lays out the same way every time', () => {
    const layout = layoutServiceGraph(edges, SIZE);
    const node = (name: string) => layout.nodes.find((n) => n.name === name)!;
    expect(node('frontend').rate).toBe(10);
    expect(node('user').rate).toBe(10); // a pure client: the rate it sends
    expect(node('frontend').radius).toBeGreaterThan(node('checkout').radius);
    expect(node('checkout').y).toBeLessThan(node('search').y);
    expect(layoutServiceGraph([...edges].reverse(), SIZE)).toEqual(layout);
  });

  it('puts a service right of every caller, even one its other caller also calls', () => {
    // user → frontend → {inventory, orders, shipping}; orders → {inventory, shipping, payments}
    const demo = buildEdges(
      [
        series('user', 'frontend', '1'),
        series('frontend', 'inventory', '1'),
        series('frontend', 'orders', '1'),
        series('frontend', 'shipping', '1'),
        series('orders', 'inventory', '1'),
        series('orders', 'payments', '1'),
        series('orders', 'shipping', '1'),
        series('payments', 'payment-gateway', '1'),
      ],
      [],
    );
    const layout = layoutServiceGraph(demo, SIZE);
    for (const edge of layout.edges)
      expect(edge.from.x, `${edge.client} → ${edge.server}`).toBeLessThan(edge.to.x);
    const depth = Object.fromEntries(layout.nodes.map((n) => [n.name, n.depth]));
    expect(depth).toEqual({
      user: 0,
      frontend: 1,
      orders: 2,
      inventory: 3,
      payments: 3,
      shipping: 3,
      'payment-gateway': 4,
    });
    // Within a column by the height of the callers, then by name: payments lines up with orders.
    const node = (name: string) => layout.nodes.find((n) => n.name === name)!;
    expect(node('payments').y).toBe(node('orders').y);
    expect(node('inventory').y).toBeLessThan(node('payments').y);
  });

  it('orders a column by where its callers are, so a fan-out does not cross itself', () => {
    // a → {b, c}; b → z; c → y: z (called from above) goes above y despite its name.
    const layout = layoutServiceGraph(
      buildEdges(
        [series('a', 'b', '1'), series('a', 'c', '1'), series('b', 'z', '1'), series('c', 'y', '1')],
        [],
      ),
      SIZE,
    );
    const node = (name: string) => layout.nodes.find((n) => n.name === name)!;
    expect(node('b').y).toBeLessThan(node('c').y);
    expect(node('z').y).toBeLessThan(node('y').y);
  });

  it('lays out a graph that is only a cycle', () => {
    const layout = layoutServiceGraph(buildEdges([series('b', 'a', '1'), series('a', 'b', '1')], []), SIZE);
    expect(layout.nodes.map((n) => [n.name, n.depth])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
  });
});

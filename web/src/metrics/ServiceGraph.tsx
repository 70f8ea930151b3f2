import { useMemo } from 'react';
import type { MetricsDataSource } from '../api/client';
import { SERVICE_GRAPH_QUERIES } from './promql';
import { buildEdges, errorLabel, errorLevel, type GraphNode, layoutServiceGraph } from './service-graph';
import { useRangeResults } from './use-metrics';
import { type OverviewContext, overviewRequest } from './use-services';
import { formatValue } from './value-format';

const SIZE = { columnWidth: 200, rowHeight: 84, padding: 16 };

interface ServiceGraphProps {
  context: OverviewContext;
  datasource: MetricsDataSource;
  selected: string | undefined;
  onSelect(service: string): void;
}

/** A curve from the right of the caller to the left of the callee (or a loop above a self-call). */
function edgePath(from: GraphNode, to: GraphNode): string {
  if (from === to) {
    const { x, y, radius: r } = from;
    return `M${x - r / 2},${y - r} C${x - r * 2},${y - r * 4} ${x + r * 2},${y - r * 4} ${x + r / 2},${y - r}`;
  }
  const x1 = from.x + from.radius;
  const x2 = to.x - to.radius;
  const bend = Math.max(Math.abs(x2 - x1) / 2, 30);
  return `M${x1},${from.y} C${x1 + bend},${from.y} ${x2 - bend},${to.y} ${x2},${to.y}`;
}

/**
 * Services as nodes sized by request rate, calls as edges coloured by error ratio (with the ratio
 * written beside them), from the service-graph metrics. A node is a button: it filters the RED
 * view. Absent when there are no service-graph metrics.
 */
export function ServiceGraph({ context, datasource, selected, onSelect }: ServiceGraphProps) {
  const results = useRangeResults(
    overviewRequest(context, datasource, [SERVICE_GRAPH_QUERIES.requests, SERVICE_GRAPH_QUERIES.failed]),
    context.window !== undefined,
  );
  const layout = useMemo(() => {
    const [requests = [], failed = []] = results.data ?? [];
    const edges = buildEdges(requests, failed);
    return edges.length ? layoutServiceGraph(edges, SIZE) : undefined;
  }, [results.data]);
  if (!layout) return null;

  return (
    <figure className="service-graph" aria-labelledby="service-graph-title">
      <figcaption className="red-chart">
        <h3 id="service-graph-title">Service graph</h3>
      </figcaption>
      <svg width={layout.width} height={layout.height}>
        <title>Calls between services</title>
        {layout.edges.map((edge) => {
          const level = errorLevel(edge.errorRatio);
          const midX = (edge.from.x + edge.to.x) / 2;
          const midY =
            edge.from === edge.to ? edge.from.y - edge.from.radius * 3.2 : (edge.from.y + edge.to.y) / 2;
          const text = `${formatValue(edge.rate)} req/s · ${errorLabel(edge.errorRatio)}`;
          return (
            <g key={`${edge.client}→${edge.server}`} data-edge={`${edge.client}→${edge.server}`}>
              <path className="service-graph__edge" data-level={level} d={edgePath(edge.from, edge.to)}>
                <title>{`${edge.client} → ${edge.server}: ${text}`}</title>
              </path>
              <text className="service-graph__edge-label" x={midX} y={midY - 6} textAnchor="middle">
                {text}
              </text>
            </g>
          );
        })}
        {layout.nodes.map((node) => (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it has the role, focus and keys of one
          <g
            key={node.name}
            className="service-graph__node"
            role="button"
            tabIndex={0}
            aria-pressed={selected === node.name}
            aria-label={`${node.name}, ${formatValue(node.rate)} requests per second`}
            onClick={() => onSelect(node.name)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                onSelect(node.name);
              }
            }}
          >
            <circle cx={node.x} cy={node.y} r={node.radius} />
            <text x={node.x} y={node.y + node.radius + 14} textAnchor="middle">
              {node.name}
            </text>
          </g>
        ))}
      </svg>
      <div className="service-graph__legend">
        <span>Edge colour: errors</span>
        <span style={{ color: '#73bf69' }}>■ under 1 %</span>
        <span style={{ color: 'var(--text-warning)' }}>■ 1–5 %</span>
        <span style={{ color: 'var(--text-error)' }}>■ 5 % and more</span>
      </div>
    </figure>
  );
}

import { useMemo } from 'react';
import type { MetricsDataSource } from '../api/client';
import { SERVICE_GRAPH_QUERIES } from './promql';
import { buildEdges, errorLevel, type GraphNode } from './service-graph';
import { curvePath } from './service-graph-geometry';
import {
  type DrawnEdge,
  drawServiceGraph,
  EDGE_LABEL_FONT_PX,
  NODE_NAME_FONT_PX,
  nodeNameBox,
} from './service-graph-labels';
import { useRangeResults } from './use-metrics';
import { type OverviewContext, overviewRequest } from './use-services';
import { formatValue } from './value-format';

const SIZE = { columnWidth: 200, rowHeight: 96, padding: 16 };

interface ServiceGraphProps {
  context: OverviewContext;
  datasource: MetricsDataSource;
  selected: string | undefined;
  onSelect(service: string): void;
}

/** A call's hover text: who calls whom, and the label's full text. */
const edgeTitle = (edge: DrawnEdge) => `${edge.client} → ${edge.server}: ${edge.description}`;

/**
 * A call's label where the layout put it, on a backing of the panel's colour so a curve passing
 * under it does not cross the text; a short form carries the full text as its title.
 */
function EdgeText({ edge }: { edge: DrawnEdge }) {
  const { label } = edge;
  if (!label) return null;
  return (
    <g className="service-graph__edge-label">
      {!label.full && <title>{edgeTitle(edge)}</title>}
      <rect
        x={label.box.left}
        y={label.box.top}
        width={label.box.right - label.box.left}
        height={label.box.bottom - label.box.top}
        rx={2}
      />
      <text
        x={label.x}
        y={label.y}
        dominantBaseline="central"
        textAnchor="middle"
        fontSize={EDGE_LABEL_FONT_PX}
      >
        {label.text}
      </text>
    </g>
  );
}

interface ServiceNodeProps {
  node: GraphNode;
  selected: boolean;
  onSelect(service: string): void;
}

/** A service: a circle sized by its rate with its name below; a button that filters the RED view. */
function ServiceNode({ node, selected, onSelect }: ServiceNodeProps) {
  const nameBox = nodeNameBox(node);
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it has the role, focus and keys of one
    <g
      className="service-graph__node"
      role="button"
      tabIndex={0}
      aria-pressed={selected}
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
      <text
        x={node.x}
        y={(nameBox.top + nameBox.bottom) / 2}
        dominantBaseline="central"
        textAnchor="middle"
        fontSize={NODE_NAME_FONT_PX}
      >
        {node.name}
      </text>
    </g>
  );
}

/**
 * Services as nodes sized by request rate, calls as edges coloured by error ratio (with the rate
 * and ratio written beside them, clear of every other label and node), from the service-graph
 * metrics. A node is a button: it filters the RED view. Absent when there are no service-graph
 * metrics.
 */
export function ServiceGraph({ context, datasource, selected, onSelect }: ServiceGraphProps) {
  const results = useRangeResults(
    overviewRequest(context, datasource, [SERVICE_GRAPH_QUERIES.requests, SERVICE_GRAPH_QUERIES.failed]),
    context.window !== undefined,
  );
  const picture = useMemo(() => {
    const [requests = [], failed = []] = results.data ?? [];
    const edges = buildEdges(requests, failed);
    return edges.length ? drawServiceGraph(edges, SIZE) : undefined;
  }, [results.data]);
  if (!picture) return null;
  const { view } = picture;
  const key = (edge: DrawnEdge) => `${edge.client}→${edge.server}`;

  return (
    <figure className="service-graph" aria-labelledby="service-graph-title">
      <figcaption className="red-chart">
        <h3 id="service-graph-title">Service graph</h3>
      </figcaption>
      <svg
        width={view.width}
        height={view.height}
        viewBox={`${view.x} ${view.y} ${view.width} ${view.height}`}
      >
        <title>Calls between services</title>
        {picture.edges.map((edge) => (
          <g key={key(edge)} data-edge={key(edge)}>
            <path
              className="service-graph__edge"
              data-level={errorLevel(edge.errorRatio)}
              d={curvePath(edge.curve)}
            >
              <title>{edgeTitle(edge)}</title>
            </path>
          </g>
        ))}
        {/* Labels after every curve, so no line is drawn over one. */}
        <g>
          {picture.edges.map((edge) => (
            <EdgeText key={key(edge)} edge={edge} />
          ))}
        </g>
        {picture.nodes.map((node) => (
          <ServiceNode key={node.name} node={node} selected={selected === node.name} onSelect={onSelect} />
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

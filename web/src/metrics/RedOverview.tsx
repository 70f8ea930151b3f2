import { exploreHref } from '../explore/explore-url';
import { useNavigate, useSearchParams } from '../router/router';
import { withParam } from '../state/url-state';
import { type ChartQuery, MetricsChartPanel } from './MetricsChartPanel';
import { redQueries } from './promql';
import { ServiceGraph } from './ServiceGraph';
import { pickDataSource, useMetricsConfig } from './use-metrics';
import type { OverviewContext } from './use-services';

/** The landing URL parameter naming the service the RED view shows. */
export const RED_SERVICE_PARAM = 'red';

interface RedChartProps {
  title: string;
  queries: ChartQuery[];
  context: OverviewContext;
}

/** One small RED chart with its "Open in Explore" link; its exemplars open Explore on the trace. */
function RedChart({ title, queries, context }: RedChartProps) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const config = useMetricsConfig();
  const texts = queries.map((q) => q.query);
  return (
    <article className="red-chart" aria-label={title}>
      <header>
        <h3>{title}</h3>
        <a className="small" href={exploreHref([{ type: 'metrics', queries: texts }], params)}>
          Open in Explore
        </a>
      </header>
      <MetricsChartPanel
        label={`${title} chart`}
        queries={queries}
        datasource={pickDataSource(config.datasources, undefined)}
        range={context.range}
        runAt={context.runAt}
        tenant={context.tenant}
        destinations={config.exemplarTraceIdDestinations}
        height={160}
        onFollowExemplar={(link) => {
          if (link.kind === 'url') {
            window.open(link.href, '_blank', 'noopener,noreferrer');
            return;
          }
          const trace = { type: 'trace' as const, traceId: link.traceId, spanId: link.spanId };
          navigate(exploreHref([{ type: 'metrics', queries: texts }, trace], params));
        }}
      />
    </article>
  );
}

/**
 * The RED view (rate, errors, duration) of one service or all, with the service graph; shown
 * on the landing page below the trace-ID box once span metrics exist.
 */
export default function RedOverview({ services, context }: { services: string[]; context: OverviewContext }) {
  const [params, setParams] = useSearchParams();
  const config = useMetricsConfig();
  const selected = params.get(RED_SERVICE_PARAM) || undefined;
  const select = (service: string | undefined) =>
    setParams(withParam(params, RED_SERVICE_PARAM, service ?? null), { replace: true });
  const queries = redQueries(selected);

  return (
    <section className="panel red-view" aria-labelledby="red-title">
      <h2 id="red-title">Services</h2>
      <ul className="red-services" aria-label="Show the RED view of">
        <li>
          <button type="button" className="button" aria-pressed={!selected} onClick={() => select(undefined)}>
            All services
          </button>
        </li>
        {services.map((service) => (
          <li key={service}>
            <button
              type="button"
              className="button"
              aria-pressed={selected === service}
              onClick={() => select(service)}
            >
              {service}
            </button>
          </li>
        ))}
      </ul>
      <ServiceGraph
        context={context}
        datasource={pickDataSource(config.datasources, undefined)}
        selected={selected}
        onSelect={(service) => select(service === selected ? undefined : service)}
      />
      <div className="red-charts">
        <RedChart title="Rate (spans/s)" queries={[{ query: queries.rate }]} context={context} />
        <RedChart title="Errors (spans/s)" queries={[{ query: queries.errors }]} context={context} />
        <RedChart
          title="Duration"
          queries={queries.latency.map(({ name, query }) => ({ name, query }))}
          context={context}
        />
      </div>
    </section>
  );
}

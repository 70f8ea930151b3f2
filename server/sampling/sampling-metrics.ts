import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Why a waiting trace was decided when it was. */
export type DecisionTrigger =
  /** No span for `trace_idle_period`. */
  | 'idle'
  /** Its root span arrived `decision_wait` ago. */
  | 'root_wait'
  /** Its first span arrived `max_wait` ago. */
  | 'max_wait'
  /** It reached `max_spans_per_trace`. */
  | 'span_cap'
  /** Waiting summaries passed `max_waiting_bytes`: the oldest were decided early. */
  | 'memory'
  /** Loupe is stopping (or a test flushed everything). */
  | 'shutdown';

/** Tail sampling's `/metrics` families; `policy` is '' when no policy decided (not sampled). */
export class SamplingMetrics {
  readonly traces: Counter<'tenant' | 'policy' | 'decision'>;
  readonly spans: Counter<'tenant' | 'policy' | 'decision'>;
  readonly lateSpans: Counter<'tenant' | 'decision'>;
  readonly decisions: Counter<'trigger'>;
  readonly decisionDelay: Histogram<'trigger'>;
  readonly waitingTraces: Gauge;
  readonly waitingBytes: Gauge;

  constructor(registers: Registry[]) {
    this.traces = new Counter({
      name: 'loupe_sampling_traces_total',
      help: 'Traces decided by tail sampling, by tenant, deciding policy and decision (kept, dropped; in dry_run nothing is dropped though counted so).',
      labelNames: ['tenant', 'policy', 'decision'],
      registers,
    });
    this.spans = new Counter({
      name: 'loupe_sampling_spans_total',
      help: 'Spans of the traces decided by tail sampling, by tenant, deciding policy and decision.',
      labelNames: ['tenant', 'policy', 'decision'],
      registers,
    });
    this.lateSpans = new Counter({
      name: 'loupe_sampling_late_spans_total',
      help: 'Spans arriving after their trace was decided, which followed the remembered decision.',
      labelNames: ['tenant', 'decision'],
      registers,
    });
    this.decisions = new Counter({
      name: 'loupe_sampling_decisions_total',
      help: 'Tail sampling decisions by trigger: idle, root_wait, max_wait, span_cap, memory (decided early to stay under max_waiting_bytes), shutdown.',
      labelNames: ['trigger'],
      registers,
    });
    this.decisionDelay = new Histogram({
      name: 'loupe_sampling_decision_delay_seconds',
      help: "Time from a trace's last span to its sampling decision.",
      labelNames: ['trigger'],
      buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 5, 7.5, 10, 15, 30, 60, 120],
      registers,
    });
    this.waitingTraces = new Gauge({
      name: 'loupe_sampling_traces_waiting',
      help: 'Traces waiting for their tail sampling decision.',
      registers,
    });
    this.waitingBytes = new Gauge({
      name: 'loupe_sampling_waiting_bytes',
      help: 'Memory held by waiting traces (their summaries and bookkeeping; the spans are in the WAL), counted against sampling.max_waiting_bytes.',
      registers,
    });
  }
}

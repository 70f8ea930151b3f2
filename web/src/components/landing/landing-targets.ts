/**
 * Ids of the landing page's panels: the first-steps strip's in-page targets. A module of its own
 * so the page can use them without loading the strip (and its stylesheet) up front.
 */
export const LANDING_TARGETS = {
  traces: 'landing-traces',
  logs: 'landing-logs',
  latency: 'landing-red',
} as const;

/**
 * A per-tenant series limit: one number for every tenant, or each tenant's own (Tempo's
 * `metrics_generator.max_active_series` override over `metrics.max_series_per_tenant`).
 */
export type SeriesLimit = number | ((tenantId: string) => number);

export function seriesLimitOf(limit: SeriesLimit, tenantId: string): number {
  return typeof limit === 'number' ? limit : limit(tenantId);
}

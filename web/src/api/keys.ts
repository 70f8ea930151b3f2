import { canonicalTraceId } from '../trace/model/ids';

/** Where a trace comes from: the Loupe server, or a JSON file opened in the browser. */
export type DataSource = 'loupe' | 'file';

/** Query key for a trace: data source and tenant first, so tenants never share cache entries. */
export function traceQueryKey(dataSource: DataSource, tenant: string, traceId: string) {
  return ['trace', dataSource, tenant, canonicalTraceId(traceId)] as const;
}

/** The name the trace worker keeps a trace under: its query key, joined. */
export function traceWorkerKey(key: readonly string[]): string {
  return key.join('/');
}

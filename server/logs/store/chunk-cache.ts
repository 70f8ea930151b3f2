import type { ChunkColumns } from './chunk-format';
import { columnsWeight } from './chunk-format';

/**
 * Decoded chunks kept in memory, least recently used evicted first, bounded by approximate heap
 * bytes: repeated queries over the same hours (a dashboard refresh, paging) skip the gunzip and
 * JSON parse that dominate a cold scan.
 */
export class ChunkCache {
  private readonly entries = new Map<string, { columns: ChunkColumns; weight: number }>();
  private weight = 0;

  constructor(private readonly maxBytes: number) {}

  get(id: string): ChunkColumns | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.columns;
  }

  set(id: string, columns: ChunkColumns): void {
    const weight = columnsWeight(columns);
    if (weight > this.maxBytes) return;
    this.delete(id);
    this.entries.set(id, { columns, weight });
    this.weight += weight;
    for (const [key, entry] of this.entries) {
      if (this.weight <= this.maxBytes) break;
      this.entries.delete(key);
      this.weight -= entry.weight;
    }
  }

  delete(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.weight -= entry.weight;
  }
}

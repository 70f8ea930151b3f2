/** A message's fields other than its nested list: whole fields, as [start, end) pairs in `src`. */
export interface Header {
  src: Buffer;
  ranges: number[];
  /** Total bytes of the ranges. */
  length: number;
}

/** Past this many entries, a list is looked up through a Map keyed by the header bytes. */
const MAX_SCANNED = 8;

/**
 * Containers (ResourceSpans, ScopeSpans) in the order they were added, findable by the bytes of
 * their header. While there are few, a lookup scans them comparing lengths and then bytes in
 * place, which copies nothing; past `MAX_SCANNED` it goes through a Map keyed by the bytes, so
 * a trace with many resources or scopes stays linear.
 */
export class HeaderList<T extends { header: Header }> {
  readonly items: T[] = [];
  private byBytes: Map<string, T> | undefined;

  find(header: Header): T | undefined {
    if (this.byBytes) return this.byBytes.get(headerBytes(header));
    for (const item of this.items) {
      if (item.header.length === header.length && sameBytes(item.header, header)) return item;
    }
    return undefined;
  }

  /** Appends a container whose header `find` did not find. */
  add(item: T): void {
    this.items.push(item);
    if (this.byBytes) this.byBytes.set(headerBytes(item.header), item);
    else if (this.items.length > MAX_SCANNED) {
      this.byBytes = new Map(this.items.map((i) => [headerBytes(i.header), i]));
    }
  }
}

/**
 * The header's bytes as a string. Ranges are whole fields, which delimit themselves, so equal
 * strings mean the same fields with the same values in the same order.
 */
function headerBytes({ src, ranges }: Header): string {
  if (ranges.length === 2) return src.toString('latin1', ranges[0], ranges[1]);
  let bytes = '';
  for (let i = 0; i < ranges.length; i += 2) bytes += src.toString('latin1', ranges[i], ranges[i + 1]);
  return bytes;
}

/** Whether two headers of the same length hold the same bytes, however their ranges are split. */
function sameBytes(a: Header, b: Header): boolean {
  const ar = a.ranges;
  const br = b.ranges;
  let i = 0;
  let j = 0;
  let ap = ar[0];
  let bp = br[0];
  while (i < ar.length && j < br.length) {
    const n = Math.min(ar[i + 1] - ap, br[j + 1] - bp);
    if (a.src.compare(b.src, bp, bp + n, ap, ap + n) !== 0) return false;
    ap += n;
    bp += n;
    if (ap === ar[i + 1]) {
      i += 2;
      ap = ar[i];
    }
    if (bp === br[j + 1]) {
      j += 2;
      bp = br[j];
    }
  }
  return true;
}

import { describe, expect, it } from 'vitest';
import type { BatchSeries } from '../../series-model/sample-batch';
import { decodeWalBatch, encodeSeriesEach, packWalRecords } from './sample-codec';

const series = (name: string, value = 1): BatchSeries => ({
  labels: { __name__: name, job: 'api' },
  timestamps: [1_700_000_000_000],
  values: [value],
});

/** A series JSON cannot encode: what a V8 string-length failure looks like to the encoder. */
function unencodable(): BatchSeries {
  const s = series('broken');
  Object.defineProperty(s.labels, 'boom', {
    enumerable: true,
    get() {
      throw new RangeError('Invalid string length');
    },
  });
  return s;
}

describe('WAL batch encoding, series by series', () => {
  it('leaves out a series whose encoding fails and keeps the others', () => {
    const good = [series('up'), series('down')];
    const broken = unencodable();
    const { encoded, unwritable } = encodeSeriesEach([good[0], broken, good[1]]);
    expect(encoded.map((e) => e.series)).toEqual(good);
    expect(unwritable).toEqual([broken]);
  });

  it('leaves out a series over the size limit', () => {
    const huge: BatchSeries = { ...series('huge'), labels: { __name__: 'huge', service: 'x'.repeat(5000) } };
    const { encoded, unwritable } = encodeSeriesEach([series('up'), huge], 1000);
    expect(encoded.map((e) => e.series.labels.__name__)).toEqual(['up']);
    expect(unwritable).toEqual([huge]);
  });

  it('packs series into records of bounded size that each decode to their own series, in order', () => {
    const many = Array.from({ length: 100 }, (_, i) => series(`metric_${i}`, i));
    const { encoded } = encodeSeriesEach(many);
    const records = packWalRecords(encoded, 1000);
    expect(records.length).toBeGreaterThan(5);
    const decoded = records.flatMap((r) => {
      expect(r.data.length).toBeLessThanOrEqual(1000);
      const batch = decodeWalBatch(r.data);
      expect(batch.series.map((s) => s.labels)).toEqual(r.batch.series.map((s) => s.labels));
      return batch.series;
    });
    expect(decoded.map((s) => s.values[0])).toEqual(many.map((_, i) => i));
    expect(decoded[0]).toMatchObject({ timestamps: many[0].timestamps, labels: many[0].labels });
  });

  it('gives a series larger than a record a record of its own', () => {
    const big: BatchSeries = { ...series('big'), labels: { __name__: 'big', note: 'y'.repeat(2000) } };
    const { encoded } = encodeSeriesEach([series('a'), big, series('b')]);
    const records = packWalRecords(encoded, 1000);
    expect(records.map((r) => r.batch.series.map((s) => s.labels.__name__))).toEqual([['a'], ['big'], ['b']]);
  });
});

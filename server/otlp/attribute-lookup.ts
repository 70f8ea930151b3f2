import { type LabelValueReading, utf8Key } from './attribute-cursor';
import type { SpanView } from './span-visitor';

const SERVICE_NAME = 'service.name';

/**
 * The values of a few named attributes of each span, as text: the span's own attribute, else its
 * resource's (Tempo's rule for an attribute named without a scope: span metrics and service-graph
 * dimensions, unscoped TraceQL attributes). Resource values are read once per resource.
 *
 * ```ts
 * const lookup = new AttributeLookup(['http.method', 'deployment.environment']);
 * forEachSpan(body, (span) => {
 *   const [method, environment] = lookup.read(span, reading);
 * });
 * ```
 */
export class AttributeLookup {
  private readonly keys: Buffer[];
  private readonly values: string[];
  private readonly resourceValues: string[];
  private resourceKey = -1;

  constructor(readonly names: readonly string[]) {
    this.keys = names.map(utf8Key);
    this.values = names.map(() => '');
    this.resourceValues = names.map(() => '');
  }

  /**
   * The span's values, by position in `names` ('' when neither the span nor its resource has
   * it), read as `reading` says. The array is reused by the next call: copy what you keep.
   */
  read(span: SpanView, reading: LabelValueReading): readonly string[] {
    const values = this.values;
    if (values.length === 0) return values;
    const keys = this.keys;
    const resourceValues = this.resourceValues;
    if (span.resourceKey !== this.resourceKey) {
      this.resourceKey = span.resourceKey;
      resourceValues.fill('');
      for (const a = span.resourceAttributes(); a.next(); ) {
        const i = a.indexOfKey(keys);
        if (i < 0) continue;
        // The visitor read the service name already (and counted it, if cut): not twice.
        resourceValues[i] = this.names[i] === SERVICE_NAME ? span.service : a.valueText(reading);
      }
    }
    for (let i = 0; i < values.length; i++) values[i] = resourceValues[i];
    for (const a = span.spanAttributes(); a.next(); ) {
      const i = a.indexOfKey(keys);
      if (i >= 0) values[i] = a.valueText(reading);
    }
    return values;
  }
}

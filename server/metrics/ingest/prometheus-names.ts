import { sanitizeLabelName, sanitizeMetricName } from '../../series-model/labels';

/** Prometheus's unit suffixes for the common UCUM units of OpenTelemetry metrics. */
const UNIT_WORDS: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  min: 'minutes',
  h: 'hours',
  d: 'days',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/** The Prometheus name of an OTLP metric: sanitized, unit suffix, `_total` for counters, `_ratio` for unit 1 gauges. */
export function prometheusMetricName(
  name: string,
  unit: string,
  kind: 'counter' | 'gauge' | 'histogram',
): string {
  let out = sanitizeMetricName(name);
  const cleanUnit = unit.replace(/\{[^}]*\}/g, '').trim();
  let suffix = '';
  if (cleanUnit === '1') suffix = kind === 'gauge' ? 'ratio' : '';
  else if (cleanUnit !== '') {
    const [main, per] = cleanUnit.split('/');
    const mainWord = main ? (UNIT_WORDS[main] ?? sanitizeLabelName(main)) : '';
    const perWord = per ? (UNIT_WORDS[per] ?? sanitizeLabelName(per)) : '';
    suffix = [mainWord, perWord ? `per_${perWord}` : ''].filter(Boolean).join('_');
  }
  if (suffix && !out.endsWith(`_${suffix}`)) out += `_${suffix}`;
  if (kind === 'counter' && !out.endsWith('_total')) out += '_total';
  return out;
}

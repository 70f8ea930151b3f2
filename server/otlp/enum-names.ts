/** OTLP span kinds and status codes by enum value, spelled as Tempo's label values. */
export const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
export const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

export function spanKindName(kind: number): string {
  return SPAN_KIND_NAMES[kind] ?? `SPAN_KIND_${kind}`;
}

export function statusCodeName(code: number): string {
  return STATUS_CODE_NAMES[code] ?? `STATUS_CODE_${code}`;
}

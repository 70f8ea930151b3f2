import { ErrorCode } from '../../errors/error-codes';
import { type Params, param } from '../../http-util/form-params';
import { parsePromDuration } from '../../promql/lexer';

/** A request parameter Prometheus would refuse: answered 400 `bad_data`. */
export class BadDataError extends Error {
  readonly statusCode = 400;
  readonly code = ErrorCode.BAD_DATA;
}

/** Prometheus's `time`/`start`/`end`: unix seconds (with fraction) or RFC3339; returns unix ms. */
export function parseTimeParam(params: Params, name: string, fallbackMs?: number): number {
  const text = param(params, name);
  if (text === undefined || text === '') {
    if (fallbackMs !== undefined) return fallbackMs;
    throw new BadDataError(`invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  }
  const seconds = Number(text);
  if (text.trim() !== '' && Number.isFinite(seconds)) return Math.round(seconds * 1000);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new BadDataError(`invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
}

/** `step`: float seconds or a duration (`15s`, `1m`); returns ms. */
export function parseStepParam(params: Params): number {
  const text = param(params, 'step');
  if (text === undefined || text === '') {
    throw new BadDataError('invalid parameter "step": cannot parse "" to a valid duration');
  }
  const seconds = Number(text);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : parsePromDuration(text);
  if (ms === undefined)
    throw new BadDataError(`invalid parameter "step": cannot parse "${text}" to a valid duration`);
  if (!(ms > 0)) {
    throw new BadDataError(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  return ms;
}

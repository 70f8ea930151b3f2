import type { FastifyInstance } from 'fastify';

/**
 * Query parameters as Fastify gives them, from the query string or a POSTed form (Loki's and
 * Prometheus's APIs take both); a repeated key becomes an array.
 */
export type Params = Record<string, string | string[] | undefined>;

/** The first value of a parameter, as Go's `Request.FormValue` reads it (Loki, Prometheus). */
export function param(params: Params, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every value of a repeated parameter (`match[]`). */
export function paramList(params: Params, name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Lets the plugin's routes take `application/x-www-form-urlencoded` bodies as `Params`. */
export function acceptFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const params: Params = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      const existing = params[key];
      params[key] =
        existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    done(null, params);
  });
}

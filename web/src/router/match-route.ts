/** A page of the app: `/`, `/trace/:traceId`, or `*` for everything else. */
export interface RoutePattern {
  path: string;
}

export interface RouteMatch<R extends RoutePattern> {
  route: R;
  params: Record<string, string>;
}

/**
 * The first route whose pattern fits `pathname` (segments compared literally, `:name` captures
 * one decoded segment, `*` matches the rest), or undefined.
 * @example matchRoute([{ path: '/trace/:traceId' }], '/trace/ab%20') → params { traceId: 'ab ' }
 */
export function matchRoute<R extends RoutePattern>(
  routes: readonly R[],
  pathname: string,
): RouteMatch<R> | undefined {
  const segments = splitPath(pathname);
  for (const route of routes) {
    const params = matchSegments(splitPath(route.path), segments);
    if (params) return { route, params };
  }
  return undefined;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i];
    if (part === '*') return params;
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        params[part.slice(1)] = segment; // a malformed %-escape is shown as typed
      }
    } else if (part !== segment) return undefined;
  }
  return pattern.length === segments.length ? params : undefined;
}

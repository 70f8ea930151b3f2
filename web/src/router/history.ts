/** Where the app is: the path and the query string (with its leading `?`, or empty). */
export interface RouterLocation {
  pathname: string;
  search: string;
}

/**
 * The session history the router follows. The browser one drives `window.history`; the memory
 * one is for tests and keeps its entries in an array.
 */
export interface RouterHistory {
  readonly location: RouterLocation;
  push(href: string): void;
  replace(href: string): void;
  /** Calls `listener` after every change (including back/forward); returns an unsubscribe. */
  listen(listener: () => void): () => void;
}

/** Splits a same-origin href (`/trace/ab?span=1`, `?x=1`) against the current location. */
export function resolveHref(href: string, current: RouterLocation): RouterLocation {
  const url = new URL(href, `http://loupe${current.pathname}${current.search}`);
  return { pathname: url.pathname, search: url.search };
}

export function createBrowserHistory(): RouterHistory {
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  window.addEventListener('popstate', notify);
  const read = (): RouterLocation => ({ pathname: window.location.pathname, search: window.location.search });
  let cached = read();
  const current = () => {
    const next = read();
    // Same object while nothing changed, so React sees a stable snapshot.
    if (next.pathname !== cached.pathname || next.search !== cached.search) cached = next;
    return cached;
  };
  const go = (href: string, replace: boolean) => {
    const next = resolveHref(href, current());
    const url = `${next.pathname}${next.search}`;
    if (replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    notify();
  };
  return {
    get location() {
      return current();
    },
    push: (href) => go(href, false),
    replace: (href) => go(href, true),
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function createMemoryHistory(initial = '/'): RouterHistory {
  const listeners = new Set<() => void>();
  let location = resolveHref(initial, { pathname: '/', search: '' });
  const go = (href: string, _replace: boolean) => {
    location = resolveHref(href, location);
    for (const listener of listeners) listener();
  };
  return {
    get location() {
      return location;
    },
    push: (href) => go(href, false),
    replace: (href) => go(href, true),
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

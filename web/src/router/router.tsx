import {
  type AnchorHTMLAttributes,
  type ComponentType,
  createContext,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useContext,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import { createMemoryHistory, type RouterHistory, type RouterLocation } from './history';
import { matchRoute, type RoutePattern } from './match-route';

/**
 * A small client-side router: the few pages of the app, the URL as the one source of truth, and
 * the hooks the components use. A general-purpose router would be most of the app's script,
 * and every kilobyte parsed delays the first rows of a trace.
 */
export interface AppRoute extends RoutePattern {
  element: ReactNode;
}

interface RouterState {
  history: RouterHistory;
  location: RouterLocation;
  params: Record<string, string>;
  outlet: ReactNode;
}

const RouterContext = createContext<RouterState | null>(null);

function useRouter(): RouterState {
  const state = useContext(RouterContext);
  if (!state) throw new Error('router hooks must be used inside <RouterProvider>');
  return state;
}

export interface RouterProviderProps {
  history: RouterHistory;
  routes: readonly AppRoute[];
  /** Wraps every page; renders the page where it puts `<Outlet />`. */
  layout?: ComponentType;
}

export function RouterProvider({ history, routes, layout: Layout }: RouterProviderProps) {
  const location = useSyncExternalStore(
    history.listen,
    () => history.location,
    () => history.location,
  );
  const match = matchRoute(routes, location.pathname);
  const state: RouterState = {
    history,
    location,
    params: match?.params ?? {},
    outlet: match?.route.element ?? null,
  };
  return <RouterContext.Provider value={state}>{Layout ? <Layout /> : state.outlet}</RouterContext.Provider>;
}

/** Where the layout shows the current page. */
export function Outlet() {
  return <>{useRouter().outlet}</>;
}

export function useLocation(): RouterLocation {
  return useRouter().location;
}

export function useParams(): Record<string, string | undefined> {
  return useRouter().params;
}

export type Navigate = (to: string, options?: { replace?: boolean }) => void;

export function useNavigate(): Navigate {
  const { history } = useRouter();
  return useCallback<Navigate>(
    (to, options) => (options?.replace ? history.replace(to) : history.push(to)),
    [history],
  );
}

type ParamsUpdate = URLSearchParams | ((current: URLSearchParams) => URLSearchParams);
export type SetSearchParams = (next: ParamsUpdate, options?: { replace?: boolean }) => void;

/** The query string as `URLSearchParams` (a new object only when it changes) and a setter. */
export function useSearchParams(): [URLSearchParams, SetSearchParams] {
  const { history, location } = useRouter();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const setParams = useCallback<SetSearchParams>(
    (next, options) => {
      const current = history.location;
      const resolved = typeof next === 'function' ? next(new URLSearchParams(current.search)) : next;
      const query = resolved.toString();
      const href = `${current.pathname}${query ? `?${query}` : ''}`;
      if (options?.replace) history.replace(href);
      else history.push(href);
    },
    [history],
  );
  return [params, setParams];
}

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
  replace?: boolean;
}

/** An `<a href>` that navigates in the app on a plain click and behaves natively otherwise. */
export function Link({ to, replace, onClick, target, ...rest }: LinkProps) {
  const navigate = useNavigate();
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (event.defaultPrevented || event.button !== 0 || modified || (target && target !== '_self')) return;
    event.preventDefault();
    navigate(to, { replace });
  };
  return <a href={to} target={target} onClick={handleClick} {...rest} />;
}

/** A router over an in-memory history, around arbitrary children (component tests). */
export function MemoryRouter({
  initialEntries,
  children,
}: {
  initialEntries?: string[];
  children: ReactNode;
}) {
  const [history] = useState(() => createMemoryHistory(initialEntries?.at(-1) ?? '/'));
  const location = useSyncExternalStore(
    history.listen,
    () => history.location,
    () => history.location,
  );
  return (
    <RouterContext.Provider value={{ history, location, params: {}, outlet: children }}>
      {children}
    </RouterContext.Provider>
  );
}

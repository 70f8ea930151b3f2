import { Link, useLocation, useSearchParams } from '../router/router';
import { exploreHref, type PaneType, readPanes } from './explore-url';
import { emptyPane } from './pane-titles';

/** Top-bar entry points: Explore with an empty logs or metrics pane. */
export function ExploreNav() {
  const [params] = useSearchParams();
  const inExplore = useLocation().pathname === '/explore';
  const left = inExplore ? readPanes(params)[0]?.type : undefined;
  const item = (type: PaneType, what: string) => (
    <Link
      className="button button--ghost explore-nav-link"
      to={exploreHref([emptyPane(type)], params)}
      aria-current={left === type ? 'page' : undefined}
    >
      <span className="explore-nav-prefix">Explore</span> {what}
    </Link>
  );
  return (
    <nav className="explore-nav" aria-label="Explore">
      {item('logs', 'logs')}
      {item('metrics', 'metrics')}
    </nav>
  );
}

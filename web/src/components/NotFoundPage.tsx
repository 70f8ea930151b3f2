import { Link, useSearchParams } from '../router/router';
import { homeHref } from '../state/url-state';

/** Any path the SPA does not know. */
export function NotFoundPage() {
  const [params] = useSearchParams();
  return (
    <section className="empty-state">
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link className="button button--primary" to={homeHref(params)}>
        Open a trace
      </Link>
    </section>
  );
}

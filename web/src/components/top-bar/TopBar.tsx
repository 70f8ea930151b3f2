import { useClientConfig } from '../../api/queries';
import { ExploreNav } from '../../explore/ExploreNav';
import { Link, useLocation, useSearchParams } from '../../router/router';
import { homeHref, searchPageHref } from '../../state/url-state';
import { OpenFileButton } from '../../trace/components/OpenFileButton';
import { TraceIdForm } from '../../trace/components/TraceIdForm';
import { PreferenceToggles } from './PreferenceToggles';
import { TenantPicker } from './TenantPicker';
import { TimeRangePicker } from './TimeRangePicker';

/** Grafana-style top bar: trace-ID box, search, tenant, global time range, file import and preferences. */
export function TopBar() {
  const [params] = useSearchParams();
  const config = useClientConfig();
  const { pathname } = useLocation();
  // The landing page has its own, larger box.
  const onLanding = pathname === '/';
  return (
    <header className="top-bar">
      <Link to={homeHref(params)} className="brand" aria-label="Loupe home">
        <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true">
          <circle cx="6.5" cy="6.5" r="4.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M10 10l4.5 4.5" stroke="currentColor" strokeWidth="2" />
        </svg>
        <span>Loupe</span>
      </Link>
      {!onLanding && <TraceIdForm variant="compact" />}
      <Link
        to={searchPageHref(params)}
        className="button button--ghost explore-nav-link"
        aria-current={pathname === '/search' ? 'page' : undefined}
      >
        Search
      </Link>
      <ExploreNav />
      <div className="top-bar-spacer" />
      {config.data?.multitenancyEnabled && <TenantPicker />}
      <TimeRangePicker />
      <OpenFileButton />
      <PreferenceToggles />
    </header>
  );
}

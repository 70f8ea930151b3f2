import { useEffect } from 'react';
import { TopBar } from '../components/top-bar/TopBar';
import { Outlet } from '../router/router';
import { usePreferences } from '../state/preferences';

/** The top bar over an Explore-style pane area. */
export function Layout() {
  const theme = usePreferences((s) => s.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar />
      <main id="main" className="explore" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

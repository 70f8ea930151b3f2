import { usePreferences, useShowUtc } from '../../state/preferences';

/** Local/UTC time and dark/light theme, both remembered. */
export function PreferenceToggles() {
  const { theme, setTheme, setUtc } = usePreferences();
  const utc = useShowUtc();
  return (
    <div className="toggle-group">
      <button
        type="button"
        className="button button--ghost"
        aria-pressed={utc}
        title={utc ? 'Times are shown in UTC' : 'Times are shown in local time'}
        onClick={() => setUtc(!utc)}
      >
        UTC
      </button>
      <button
        type="button"
        className="button button--ghost"
        aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
        onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
      >
        <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
      </button>
    </div>
  );
}

import { useSyncExternalStore } from 'react';
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export type Theme = 'dark' | 'light';

interface Preferences {
  theme: Theme;
  /** Show times in UTC instead of local time. */
  utc: boolean;
  /** Tenants typed before, newest first, for the tenant picker's suggestions. */
  recentTenants: string[];
  /** Hints the user dismissed, by name (`landing.firstSteps`…): they stay hidden across visits. */
  dismissedHints: string[];
  setTheme(theme: Theme): void;
  setUtc(utc: boolean): void;
  rememberTenant(tenant: string): void;
  dismissHint(name: string): void;
}

const MAX_RECENT_TENANTS = 8;

/** User preferences, remembered in localStorage. */
export const usePreferences = create<Preferences>()(
  persist(
    (set) => ({
      theme: 'dark',
      utc: false,
      recentTenants: [],
      dismissedHints: [],
      setTheme: (theme) => set({ theme }),
      setUtc: (utc) => set({ utc }),
      rememberTenant: (tenant) =>
        set((state) => ({
          recentTenants: [tenant, ...state.recentTenants.filter((t) => t !== tenant)].slice(
            0,
            MAX_RECENT_TENANTS,
          ),
        })),
      dismissHint: (name) =>
        set((state) =>
          state.dismissedHints.includes(name) ? state : { dismissedHints: [...state.dismissedHints, name] },
        ),
    }),
    {
      name: 'loupe.preferences',
      storage: createJSONStorage(() => localStorage),
      partialize: ({ theme, utc, recentTenants, dismissedHints }) => ({
        theme,
        utc,
        recentTenants,
        dismissedHints,
      }),
    },
  ),
);

const noChanges = () => () => {};

/**
 * Whether times are shown in UTC: the saved preference, and always in markup rendered on the
 * server, which knows neither the viewer's time zone nor their preference.
 */
export function useShowUtc(): boolean {
  const utc = usePreferences((s) => s.utc);
  const onServer = useSyncExternalStore(
    noChanges,
    () => false,
    () => true,
  );
  return utc || onServer;
}

import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { usePreferences } from '../src/state/preferences';
import { FULL_WINDOW } from '../src/trace/model/time-scale';
import { EMPTY, useViewStore } from '../src/trace/state/view-store';
import { mswServer } from './msw';

// findBy*/waitFor give up after 1 s by default; the suites share two cores and lazy chunks load
// on first use, so a slow moment is not a failure. Waits still end as soon as the UI is there.
configure({ asyncUtilTimeout: 5000 });

// jsdom lays nothing out: give scroll containers a size so the virtualised list renders rows.
const hasDom = typeof window !== 'undefined';

if (hasDom) {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  HTMLElement.prototype.scrollTo = function scrollTo(this: HTMLElement, options?: ScrollToOptions | number) {
    if (typeof options === 'object' && options.top !== undefined) this.scrollTop = options.top;
  } as typeof HTMLElement.prototype.scrollTo;
  // jsdom has no canvas; the minimap simply draws nothing.
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
  // jsdom's Blob has no text(); every browser does.
  Blob.prototype.text ??= function text(this: Blob) {
    return new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error);
      reader.readAsText(this);
    });
  };
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  mswServer.resetHandlers();
  if (!hasDom) return;
  cleanup();
  localStorage.clear();
  usePreferences.setState({ theme: 'dark', utc: false, recentTenants: [], dismissedHints: [] });
  useViewStore.setState({
    traceKey: '',
    collapsed: EMPTY,
    cursor: -1,
    window: FULL_WINDOW,
    scrollRequest: null,
  });
});
afterAll(() => mswServer.close());

import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const apiTarget = process.env.LOUPE_API ?? 'http://localhost:3200';

/**
 * The app chunk (React and the UI) is a dynamic import of the small entry chunk, so the browser
 * would only ask for it once the entry has run. Preloading it from index.html downloads and
 * compiles it while the entry starts the trace worker.
 */
function preloadAppChunk(): Plugin {
  return {
    name: 'loupe-preload-app-chunk',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {});
        const app = chunks.find(
          (c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/src/app/start.tsx'),
        );
        if (app?.type !== 'chunk') return [];
        return [app.fileName, ...app.imports].map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: '', href: `/${file}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

export default defineConfig({
  root: 'web',
  plugins: [react(), preloadAppChunk()],
  // One stylesheet, linked from index.html: a lazily imported chunk with CSS of its own waits for
  // that file before it runs, so the app chunk would wait on a request made only once it is asked for.
  build: { outDir: '../dist/web', emptyOutDir: true, cssCodeSplit: false },
  server: {
    proxy: {
      '/api': apiTarget,
      '/loupe': apiTarget,
      '/loki': apiTarget,
      '/prometheus': apiTarget,
    },
  },
});

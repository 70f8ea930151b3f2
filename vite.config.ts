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

/**
 * index.html starts the trace worker itself on a `/trace/<id>` URL, before any module has loaded,
 * so it needs the worker script's hashed name: this writes it into a meta tag. A build whose
 * worker cannot be found fails, rather than quietly losing the early start.
 */
function nameTraceWorker(): Plugin {
  return {
    name: 'loupe-name-trace-worker',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const scripts = Object.keys(ctx.bundle ?? {}).filter((file) =>
          /^assets\/worker-[\w-]+\.js$/.test(file),
        );
        if (scripts.length !== 1)
          throw new Error(`expected one trace worker script, found: ${scripts.join(', ')}`);
        return [
          {
            tag: 'meta',
            attrs: { name: 'loupe-trace-worker', content: `/${scripts[0]}` },
            injectTo: 'head-prepend' as const,
          },
        ];
      },
    },
  };
}

/**
 * The entry script runs as soon as it has loaded (`async`), not once the document is parsed: the
 * server may hold a trace page's body while it renders the trace, and the app's start (the
 * trace worker, the prefetched trace, React) must not wait for that. main.tsx waits for the
 * document itself.
 */
function asyncEntryScript(): Plugin {
  return {
    name: 'loupe-async-entry-script',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const entry = /<script type="module" crossorigin src="(\/assets\/index-[\w-]+\.js)"><\/script>/;
        if (!entry.test(html)) throw new Error('index.html: the entry script was not found');
        return html.replace(entry, '<script type="module" async crossorigin src="$1"></script>');
      },
    },
  };
}

export default defineConfig({
  root: 'web',
  plugins: [react(), preloadAppChunk(), nameTraceWorker(), asyncEntryScript()],
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

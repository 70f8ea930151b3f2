import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiTarget = process.env.LOUPE_API ?? 'http://localhost:3200';

export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true },
  server: {
    proxy: {
      '/api': apiTarget,
      '/loupe': apiTarget,
      '/loki': apiTarget,
      '/prometheus': apiTarget,
    },
  },
});

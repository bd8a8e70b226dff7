import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The admin web console. Served by the ingress from `dist/console` at `/console/`.
 * Build: `npx vite build --config apps/console/vite.config.ts` (from the repo root).
 * Dev: `npx vite --config apps/console/vite.config.ts`; `/api` and `/oauth` are proxied to
 * CONSOLE_API_TARGET (default http://127.0.0.1:3000, the ingress; `node apps/console/dev/mock-api.mjs`
 * serves the same contract in memory on 3100).
 */
const apiTarget = process.env.CONSOLE_API_TARGET ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here('.'),
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/oauth': { target: apiTarget, changeOrigin: false },
    },
  },
});

import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

/** Unit tests of the console (pure components and the API client): `npx vitest run --config apps/console/vitest.config.mts`. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false })],
  test: {
    include: ['src/**/*.test.tsx'],
    environment: 'node',
  },
});

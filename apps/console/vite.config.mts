// The web console's build: a single-page app under /console, written to dist/apps/console, where the gateway
// serves it (apps/gateway/src/console-app). Everything is bundled: no CDN, no web fonts, no inline scripts.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/console', import.meta.url)),
    emptyOutDir: true,
    // Small images stay files: the CSP allows data: images, but one rule for every asset is simpler to check.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});

// The web console's build: a single-page app under /console, written to dist/apps/console, where the gateway
// serves it (apps/gateway/src/console-app). Everything is bundled: no CDN, no web fonts, no inline scripts.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The page fetches the console's main script from the start, beside the small first script (src/boot.ts) that
 * imports it once it has asked for the page's data: without this hint the main script's download would wait for
 * the first script, which waits for the stylesheet.
 */
function preloadMainScript(): Plugin {
  let base = '/';
  return {
    name: 'weft-preload-main-script',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const main = Object.values(ctx.bundle ?? {}).find(
          (chunk) => chunk.type === 'chunk' && chunk.facadeModuleId?.endsWith('/src/main.tsx'),
        );
        if (!main) throw new Error('the console build has no chunk for src/main.tsx to preload');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${main.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react(), preloadMainScript()],
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

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
        const bundle = ctx.bundle ?? {};
        const main = Object.values(bundle).find((chunk) => chunk.type === 'chunk' && chunk.facadeModuleId?.endsWith('/src/main.tsx'));
        if (!main || main.type !== 'chunk') throw new Error('the console build has no chunk for src/main.tsx to preload');
        // The main script and the chunks it imports (the libraries' chunks below), each fetched and compiled at once.
        const files = new Set<string>();
        const add = (fileName: string) => {
          const chunk = bundle[fileName];
          if (files.has(fileName) || !chunk || chunk.type !== 'chunk') return;
          files.add(fileName);
          chunk.imports.forEach(add);
        };
        add(main.fileName);
        return [...files].map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${file}` },
          injectTo: 'head' as const,
        }));
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
    rolldownOptions: {
      output: {
        // The libraries' scripts in a few chunks of their own beside the console's code: Chromium compiles each script
        // on its own background thread as it arrives, so the run page waits for the biggest one instead of all of them
        // in one (docs/performance.md, the console's run page). Stylesheets stay where they are (src/styles.ts).
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/].*\.[cm]?js$/ },
            { name: 'mantine', test: /node_modules[\\/]@mantine[\\/].*\.[cm]?js$/ },
            { name: 'flow', test: /node_modules[\\/](@xyflow|d3-[a-z]+|zustand|classcat)[\\/].*\.[cm]?js$/ },
          ],
        },
      },
    },
  },
  logLevel: 'warn',
});

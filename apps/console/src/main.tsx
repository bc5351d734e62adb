// The console itself, loaded by boot.ts (which has already asked for the first page's data).
import { createTheme, Drawer, localStorageColorSchemeManager, MantineProvider, Modal, type CSSVariablesResolver } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { firstAnswers } from './lib/preload';
import { SessionProvider } from './session';

// The gateway's CSP allows style tags only with this page's nonce (apps/gateway/src/console-app).
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';

const theme = createTheme({
  primaryColor: 'blue',
  // System fonts only: nothing is fetched from outside.
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  components: {
    // Locking the page's scroll injects a style tag without the page's nonce (react-remove-scroll): the CSP refuses it.
    Drawer: Drawer.extend({ defaultProps: { lockScroll: false } }),
    Modal: Modal.extend({ defaultProps: { lockScroll: false } }),
  },
});

// Mantine's dimmed text (gray 6) is 3.3:1 on white, under WCAG AA's 4.5:1 for small text; gray 7 is 8:1.
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' },
  dark: {},
});

const root = createRoot(document.getElementById('root')!);
// The first page's answers (asked for by the first script) are awaited, up to 300 ms, so the page draws once with them.
void firstAnswers(300).then(() =>
  root.render(
    <StrictMode>
      <MantineProvider
        theme={theme}
        getStyleNonce={() => nonce}
        cssVariablesResolver={cssVariablesResolver}
        defaultColorScheme="light"
        colorSchemeManager={localStorageColorSchemeManager({ key: 'weft.console.color-scheme' })}
      >
        <BrowserRouter basename="/console">
          <SessionProvider>
            <App />
          </SessionProvider>
        </BrowserRouter>
      </MantineProvider>
    </StrictMode>,
  ),
);

import '@mantine/core/styles.css';
import '@xyflow/react/dist/style.css';
import './console.css';
import { createTheme, Drawer, localStorageColorSchemeManager, MantineProvider, Modal } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
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

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider
      theme={theme}
      getStyleNonce={() => nonce}
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
);

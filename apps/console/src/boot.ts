// The console's first script: small, so it runs at once. It asks for the first page's data (lib/preload.ts), then
// loads the console (main.tsx), whose much bigger script is fetched and evaluated while the answers travel.
// The styles are imported here so they are linked from the page itself, not added after the console loads.
import './styles';
import { preloadPage } from './lib/preload';

preloadPage(window.location.pathname);
void import('./main');

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/client';
import { App } from './App';
import { ApiProvider } from './api/context';
import { parseRoute } from './navigation/route';
import { useNavigation } from './navigation/store';
import './styles.css';

const api = createApi();
// berth:// links (desktop) and menu shortcuts arrive as paths: the same paths `berth serve` shows in the address bar.
api.on('app.deepLink', ({ path }) => useNavigation.getState().navigate(parseRoute(path)));

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ApiProvider api={api}>
        <App />
      </ApiProvider>
    </StrictMode>,
  );
}

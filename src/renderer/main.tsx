import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/client';
import { App } from './App';
import { ApiProvider } from './api/context';
import { followDeepLinks } from './navigation/store';
import './styles.css';

const api = createApi();
// Subscribed before the first render: the shell sends a pending berth:// link as soon as the page has loaded.
followDeepLinks(api);

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

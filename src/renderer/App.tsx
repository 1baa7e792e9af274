import { useEffect, useState } from 'react';
import type { AppInfo } from '../shared/types/app';
import type { RegistryView } from '../shared/types/settings';
import { useApi } from './api/context';

/** First skeleton of the shell; the UI issues replace this with the real layout. */
export function App() {
  const api = useApi();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [registries, setRegistries] = useState<RegistryView[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .call('app.info', {})
      .then(setInfo)
      .then(() => api.call('registries.list', {}))
      .then(setRegistries)
      .catch((e: Error) => setError(e.message));
  }, [api]);

  return (
    <div className="app">
      <aside className="sidebar" aria-label="Registries">
        <h1>Berth</h1>
        <ul>
          {registries.map((r) => (
            <li key={r.id}>{r.name}</li>
          ))}
        </ul>
      </aside>
      <main className="main">
        {error ? <p role="alert">{error}</p> : info ? <p>Berth {info.version}</p> : <p>Connecting…</p>}
      </main>
    </div>
  );
}

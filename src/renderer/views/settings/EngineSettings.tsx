/**
 * Which Docker engine Berth talks to: what it found (DOCKER_HOST, contexts, the default socket, Podman)
 * and a choice the user can pin or reset to automatic.
 */
import { useEffect, useState } from 'react';
import type { EngineInfo } from '../../../shared/types/docker';
import { useApi } from '../../api/context';
import { TextField } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { ErrorState, LoadingState, Spinner } from '../../components/states';
import { failed, ready, type Loadable } from '../../stores/loadable';

const SOURCE_LABELS: Record<EngineInfo['source'], string> = {
  env: 'DOCKER_HOST',
  context: 'Docker context',
  default: 'Platform default',
  podman: 'Podman',
  user: 'Chosen in Berth',
};

export function EngineSettings() {
  const api = useApi();
  const [engine, setEngine] = useState<Loadable<EngineInfo>>({ status: 'loading' });
  const [host, setHost] = useState('');
  const [busy, setBusy] = useState(false);

  const load = () => {
    setEngine({ status: 'loading' });
    api.call('docker.engine', {}).then(
      (info) => {
        setEngine(ready(info));
        setHost(info.source === 'user' ? info.host : '');
      },
      (e: unknown) => setEngine(failed(e)),
    );
  };
  useEffect(load, [api]);

  const choose = async (value: string | null) => {
    setBusy(true);
    try {
      const info = await api.call('docker.setEngine', { host: value });
      setEngine(ready(info));
      setHost(info.source === 'user' ? info.host : '');
    } catch (e) {
      setEngine(failed(e, engine));
    } finally {
      setBusy(false);
    }
  };

  const info = engine.value;
  return (
    <div className="settings-registry">
      <div className="settings-card">
        <div className="settings-card-header">
          <div>
            <h2>Docker engine</h2>
            <div className="muted">Used to pull, tag and push images locally.</div>
          </div>
          <button type="button" className="button" onClick={load} disabled={engine.status === 'loading'}>
            <Icon name="refresh" size={13} /> Check again
          </button>
        </div>
        {engine.status === 'loading' && !info ? <LoadingState label="Looking for the Docker engine…" /> : null}
        {engine.status === 'error' ? <ErrorState error={engine.error} handlers={{ retry: load }} compact /> : null}
        {info ? (
          <dl className="props" data-testid="engine-info">
            <dt>Engine</dt>
            <dd>
              <span className={`status-dot ${info.reachable ? 'reachable' : 'unreachable'}`} /> {info.reachable ? `${info.product ?? 'Docker'} ${info.version ?? ''}` : 'Not reachable'}
            </dd>
            <dt>Address</dt>
            <dd>
              <code>{info.host}</code>
            </dd>
            <dt>Chosen by</dt>
            <dd>
              {SOURCE_LABELS[info.source]}
              {info.contextName ? ` (${info.contextName})` : ''}
            </dd>
            {info.apiVersion ? (
              <>
                <dt>API</dt>
                <dd>
                  {info.apiVersion}
                  {info.os ? ` · ${info.os}/${info.arch ?? ''}` : ''}
                </dd>
              </>
            ) : null}
            {info.message ? (
              <>
                <dt>Note</dt>
                <dd>{info.message}</dd>
              </>
            ) : null}
          </dl>
        ) : null}
      </div>
      <div className="settings-card">
        <h3>Use another engine</h3>
        {info?.candidates && info.candidates.length > 0 ? (
          <ul className="check-list" aria-label="Engines found">
            {info.candidates.map((c) => (
              <li key={c.host}>
                <button type="button" className="link-button" disabled={busy || !c.present} onClick={() => void choose(c.host)}>
                  <code>{c.host}</code>
                </button>
                <span className="muted">
                  {SOURCE_LABELS[c.source]}
                  {c.contextName ? ` ${c.contextName}` : ''}
                  {c.present ? '' : ' · not present'}
                  {c.host === info.host ? ' · in use' : ''}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
        <form
          className="form form-inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (host.trim()) void choose(host.trim());
          }}
        >
          <TextField label="Engine address" value={host} onChange={(e) => setHost(e.target.value)} placeholder="unix:///var/run/docker.sock or tcp://host:2375" spellCheck={false} />
          <button type="submit" className="button button-primary" disabled={busy || !host.trim()}>
            {busy ? <Spinner size={12} /> : null} Use this engine
          </button>
          <button type="button" className="button" disabled={busy || info?.source !== 'user'} onClick={() => void choose(null)}>
            Detect automatically
          </button>
        </form>
      </div>
    </div>
  );
}

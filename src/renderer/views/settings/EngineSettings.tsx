/**
 * Which Docker engine Berth talks to: what it found (DOCKER_HOST, contexts, the default socket, Podman)
 * and a choice the user can pin or reset to automatic. A remote engine over plain TCP is taken only after
 * the user confirmed it in a dialog that says what it exposes (main refuses it without the confirmation).
 */
import { useEffect, useState } from 'react';
import type { EngineInfo } from '../../../shared/types/docker';
import { useApi } from '../../api/context';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { ErrorState, LoadingState, Spinner } from '../../components/states';
import { failed, ready, toErrorData, type Loadable } from '../../stores/loadable';

const SOURCE_LABELS: Record<EngineInfo['source'], string> = {
  env: 'DOCKER_HOST',
  context: 'Docker context',
  default: 'Platform default',
  podman: 'Podman',
  user: 'Chosen in Berth',
};

/** What main's `docker.setEngine` refusal carries when only the user's confirmation is missing. */
const CONFIRM_INSECURE_REMOTE = 'insecure-remote-engine';
const PROTECT_ACCESS_DOCS = 'https://docs.docker.com/engine/security/protect-access/';

export function EngineSettings() {
  const api = useApi();
  const [engine, setEngine] = useState<Loadable<EngineInfo>>({ status: 'loading' });
  const [host, setHost] = useState('');
  const [busy, setBusy] = useState(false);
  /** A plain TCP remote engine waiting for the user's yes: the host as typed, and as main names it. */
  const [confirming, setConfirming] = useState<{ host: string; shown: string } | null>(null);

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

  const choose = async (value: string | null, allowInsecureRemote = false) => {
    setBusy(true);
    try {
      const info = await api.call('docker.setEngine', {
        host: value,
        ...(allowInsecureRemote ? { allowInsecureRemote } : {}),
      });
      setEngine(ready(info));
      setHost(info.source === 'user' ? info.host : '');
    } catch (e) {
      const error = toErrorData(e);
      if (value !== null && !allowInsecureRemote && error.details?.confirm === CONFIRM_INSECURE_REMOTE) {
        setConfirming({ host: value, shown: String(error.details.host ?? value) });
      } else {
        setEngine(failed(e, engine));
      }
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
              <span className={`status-dot ${info.reachable ? 'reachable' : 'unreachable'}`} />{' '}
              {info.reachable ? `${info.product ?? 'Docker'} ${info.version ?? ''}` : 'Not reachable'}
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
                <button
                  type="button"
                  className="link-button"
                  disabled={busy || !c.present}
                  onClick={() => void choose(c.host)}
                >
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
          <TextField
            label="Engine address"
            value={host}
            onChange={(e) => setHost(e.target.value)}
            placeholder="unix:///var/run/docker.sock or tcp://host:2375"
            spellCheck={false}
          />
          <button type="submit" className="button button-primary" disabled={busy || !host.trim()}>
            {busy ? <Spinner size={12} /> : null} Use this engine
          </button>
          <button
            type="button"
            className="button"
            disabled={busy || info?.source !== 'user'}
            onClick={() => void choose(null)}
          >
            Detect automatically
          </button>
        </form>
      </div>
      {confirming ? (
        <Dialog
          open
          onOpenChange={(open) => (open ? undefined : setConfirming(null))}
          title="Use an unprotected remote engine?"
          description={
            <>
              <code>{confirming.shown}</code> is reached over plain TCP, without TLS.
            </>
          }
          footer={
            <>
              <button type="button" className="button" onClick={() => setConfirming(null)}>
                Cancel
              </button>
              <button
                type="button"
                className="button button-danger"
                disabled={busy}
                onClick={() => {
                  const { host: chosen } = confirming;
                  setConfirming(null);
                  void choose(chosen, true);
                }}
              >
                Use it anyway
              </button>
            </>
          }
        >
          <ul className="check-list" data-testid="insecure-engine-risks">
            <li>
              Anyone on the network between this computer and the engine can read and change what Berth and the engine
              exchange.
            </li>
            <li>Anyone who can reach that port controls the engine, and through it the machine it runs on.</li>
            <li>
              Berth will not send registry credentials to it: pulls and pushes that need a sign-in are refused; those
              that need none still work.
            </li>
          </ul>
          <p className="muted">
            To protect it, start the engine with TLS (<code>dockerd --tlsverify</code> on port 2376) and start Berth
            with <code>DOCKER_TLS_VERIFY=1</code> and <code>DOCKER_CERT_PATH</code> set to the folder of its
            certificates, or use a Docker context with TLS.{' '}
            <a href={PROTECT_ACCESS_DOCS} target="_blank" rel="noreferrer">
              Protect the Docker daemon socket
            </a>
          </p>
        </Dialog>
      ) : null}
    </div>
  );
}

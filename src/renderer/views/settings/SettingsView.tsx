/**
 * Settings: registries (add, edit, test, remove; set, test and remove a credential; import from the
 * Docker config) and the Docker engine. The left list selects what the right pane edits; the selection
 * is in the URL (`/settings?registry=ID`), so it can be linked.
 * Test hooks: list "Settings sections"; the registry form is a form named "Registry settings".
 */
import { useState } from 'react';
import type { ErrorData } from '../../../shared/errors';
import type { RegistryStatus, RegistryView } from '../../../shared/types/settings';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { EmptyState, ErrorState, LoadingState, Spinner } from '../../components/states';
import { useNavigation } from '../../navigation/store';
import { toErrorData } from '../../stores/loadable';
import { useRegistries } from '../../stores/registries';
import { useUi } from '../../stores/ui';
import { EngineSettings } from './EngineSettings';
import { KeychainNotice } from './KeychainNotice';
import { formValuesOf, KIND_LABELS, RegistryForm, registryInput } from './RegistryForm';
import { TrustPolicySettings } from '../trust/TrustPolicySettings';

const CREDENTIAL_SOURCES: Record<RegistryView['credential']['source'], string> = {
  keychain: 'System keychain',
  session: 'This session only (keychain unavailable)',
  'docker-config': 'Docker config (config.json)',
  'credential-helper': 'Docker credential helper',
  none: 'None (anonymous)',
};

export function SettingsView({ registryId }: { registryId?: string }) {
  const list = useRegistries((s) => s.list);
  const navigate = useNavigation((s) => s.navigate);
  const openDialog = useUi((s) => s.openDialog);
  const registries = list?.value ?? [];
  const selected = registryId ? registries.find((r) => r.id === registryId) : undefined;

  return (
    <div className="view settings-view">
      <header className="view-header">
        <div className="view-title">
          <Icon name="settings" size={18} />
          <h1>Settings</h1>
        </div>
        <div className="view-actions">
          <button type="button" className="button" onClick={() => openDialog({ kind: 'importDocker' })}>
            <Icon name="download" size={13} /> Import from Docker
          </button>
          <button type="button" className="button button-primary" onClick={() => openDialog({ kind: 'addRegistry' })}>
            <Icon name="plus" size={13} /> Add registry
          </button>
        </div>
      </header>
      <KeychainNotice />
      <div className="settings-layout">
        <ul className="settings-nav" aria-label="Settings sections">
          <li>
            <button
              type="button"
              className={`nav-link${!registryId ? ' selected' : ''}`}
              aria-current={!registryId ? 'page' : undefined}
              onClick={() => navigate({ view: 'settings' }, { replace: true })}
            >
              <Icon name="docker" size={14} /> Docker engine
            </button>
          </li>
          <li className="settings-nav-heading">Registries</li>
          {registries.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                className={`nav-link${r.id === registryId ? ' selected' : ''}`}
                aria-current={r.id === registryId ? 'page' : undefined}
                onClick={() => navigate({ view: 'settings', registryId: r.id }, { replace: true })}
              >
                <Icon name="registry" size={14} /> <span className="truncate">{r.name}</span>
              </button>
            </li>
          ))}
          {list?.status === 'ready' && registries.length === 0 ? (
            <li className="muted settings-nav-note">No registries yet.</li>
          ) : null}
        </ul>
        <section className="settings-pane">
          {!registryId ? (
            <EngineSettings />
          ) : list?.status === 'loading' && !list.value ? (
            <LoadingState label="Loading settings…" />
          ) : !selected ? (
            <EmptyState
              title="No such registry"
              message={`Nothing is configured with id "${registryId}". It may have been removed.`}
              icon="registry"
            />
          ) : (
            <>
              <RegistrySettings key={selected.id} registry={selected} />
              <TrustPolicySettings key={`trust-${selected.id}`} host={selected.host} />
            </>
          )}
        </section>
      </div>
    </div>
  );
}

function statusLine(status: RegistryStatus, registry: RegistryView): string {
  if (!status.reachable) return status.message ?? 'Not reachable';
  const auth = status.authenticated
    ? `signed in${registry.credential.username ? ` as ${registry.credential.username}` : ''}`
    : registry.credential.source === 'none'
      ? 'anonymous access'
      : 'sign-in failed';
  return `Reachable · ${auth}${status.message ? ` · ${status.message}` : ''}`;
}

function RegistrySettings({ registry }: { registry: RegistryView }) {
  const update = useRegistries((s) => s.update);
  const remove = useRegistries((s) => s.remove);
  const checkStatus = useRegistries((s) => s.checkStatus);
  const testCredential = useRegistries((s) => s.testCredential);
  const removeCredential = useRegistries((s) => s.removeCredential);
  const status = useRegistries((s) => s.status[registry.id]);
  const openDialog = useUi((s) => s.openDialog);
  const navigate = useNavigation((s) => s.navigate);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [credentialResult, setCredentialResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [credentialError, setCredentialError] = useState<ErrorData | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);

  const run = async (name: string, action: () => Promise<void>) => {
    setBusy(name);
    try {
      await action();
    } finally {
      setBusy(null);
    }
  };
  const hasStoredSecret = registry.credential.source === 'keychain' || registry.credential.source === 'session';

  return (
    <div className="settings-registry">
      <div className="settings-card">
        <div className="settings-card-header">
          <div>
            <h2>{registry.name}</h2>
            <div className="muted">
              <code>{registry.host}</code> · {KIND_LABELS[registry.kind]}
            </div>
          </div>
          <button
            type="button"
            className="button"
            disabled={busy !== null}
            onClick={() => void run('status', async () => void (await checkStatus(registry.id)))}
          >
            {busy === 'status' ? <Spinner size={12} /> : <Icon name="refresh" size={13} />} Test connection
          </button>
        </div>
        <div className="settings-status" data-testid="registry-status" aria-live="polite">
          {status?.status === 'loading' ? (
            <span className="muted">
              <Spinner size={11} /> Checking…
            </span>
          ) : status?.status === 'error' ? (
            <ErrorState error={status.error} compact />
          ) : status?.value ? (
            <span className={status.value.reachable ? 'ok' : 'bad'}>
              <span className={`status-dot ${status.value.reachable ? 'reachable' : 'unreachable'}`} />{' '}
              {statusLine(status.value, registry)}
            </span>
          ) : null}
        </div>
      </div>

      <div className="settings-card" aria-label="Credential">
        <h3>Credential</h3>
        <dl className="props">
          <dt>Source</dt>
          <dd data-testid="credential-source">{CREDENTIAL_SOURCES[registry.credential.source]}</dd>
          {registry.credential.username ? (
            <>
              <dt>Username</dt>
              <dd>{registry.credential.username}</dd>
            </>
          ) : null}
        </dl>
        <div className="button-row">
          <button
            type="button"
            className="button button-primary"
            onClick={() => openDialog({ kind: 'signIn', registryId: registry.id })}
          >
            <Icon name="key" size={13} /> {registry.credential.source === 'none' ? 'Sign in…' : 'Change credential…'}
          </button>
          <button
            type="button"
            className="button"
            disabled={busy !== null}
            onClick={() =>
              void run('test', async () => {
                setCredentialError(null);
                try {
                  const result = await testCredential(registry.id);
                  setCredentialResult({
                    ok: result.reachable && (result.authenticated || registry.credential.source === 'none'),
                    text: statusLine(result, registry),
                  });
                } catch (e) {
                  setCredentialResult(null);
                  setCredentialError(toErrorData(e));
                }
              })
            }
          >
            {busy === 'test' ? <Spinner size={12} /> : null} Test credential
          </button>
          {hasStoredSecret ? (
            <button
              type="button"
              className="button button-danger"
              disabled={busy !== null}
              onClick={() =>
                void run('removeCredential', async () => {
                  setCredentialError(null);
                  setCredentialResult(null);
                  try {
                    await removeCredential(registry.id);
                  } catch (e) {
                    setCredentialError(toErrorData(e));
                  }
                })
              }
            >
              Remove credential
            </button>
          ) : null}
        </div>
        {credentialResult ? (
          <div
            className={`result-line ${credentialResult.ok ? 'ok' : 'bad'}`}
            role="status"
            data-testid="credential-test-result"
          >
            <Icon name={credentialResult.ok ? 'check' : 'alert'} size={13} /> {credentialResult.text}
          </div>
        ) : null}
        {credentialError ? <ErrorState error={credentialError} compact /> : null}
      </div>

      <div className="settings-card">
        <h3>Connection</h3>
        <RegistryForm
          mode="edit"
          initial={formValuesOf(registry)}
          submitLabel="Save"
          footer={
            <>
              {saveError ? (
                <FormError message={saveError} />
              ) : saved ? (
                <span className="result-line ok" role="status">
                  <Icon name="check" size={13} /> Saved
                </span>
              ) : null}
            </>
          }
          onSubmit={async (values) => {
            setSaveError(null);
            setSaved(false);
            try {
              await update({ id: registry.id, ...registryInput(values) });
              setSaved(true);
            } catch (e) {
              setSaveError(toErrorData(e).message);
            }
          }}
        />
      </div>

      <div className="settings-card danger-zone">
        <h3>Remove registry</h3>
        <p className="muted">
          Removes it from Berth and forgets its stored credential. Nothing changes in the registry itself.
        </p>
        <button type="button" className="button button-danger" onClick={() => setConfirmRemove(true)}>
          <Icon name="trash" size={13} /> Remove {registry.name}…
        </button>
      </div>

      {confirmRemove ? (
        <Dialog
          open
          onOpenChange={setConfirmRemove}
          title={`Remove ${registry.name}?`}
          description={`Berth forgets ${registry.host} and its stored credential. Images in the registry are not touched.`}
          footer={
            <>
              <button type="button" className="button" onClick={() => setConfirmRemove(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="button button-danger"
                onClick={() =>
                  void remove(registry.id)
                    .then(() => {
                      setConfirmRemove(false);
                      navigate({ view: 'settings' }, { replace: true });
                    })
                    .catch((e: unknown) => {
                      setConfirmRemove(false);
                      setSaveError(toErrorData(e).message);
                    })
                }
              >
                Remove
              </button>
            </>
          }
        >
          {null}
        </Dialog>
      ) : null}
    </div>
  );
}

/**
 * Sign in to a registry: username and password (or access token), verified against the registry before
 * it is stored in the system keychain (without one, in memory for this session, as the dialog says). The
 * secret goes to main once and never comes back; the form forgets it when the dialog closes. Test hooks:
 * dialog named "Sign in to <name>", fields "Username" and "Password or token", button "Sign in".
 */
import { useState, type FormEvent } from 'react';
import type { ErrorData } from '../../../shared/errors';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/Field';
import { Spinner } from '../../components/states';
import { adviseOn } from '../../logic/errors';
import { toErrorData } from '../../stores/loadable';
import { useRegistries } from '../../stores/registries';
import { KeychainNotice, useKeychain } from './KeychainNotice';

const KEPT_IN: Record<'keychain' | 'session' | 'unknown', string> = {
  keychain: 'then kept in the system keychain',
  session: 'then kept in memory for this session only',
  unknown: 'then kept by Berth',
};

export function SignInDialog({ registryId, onClose }: { registryId: string; onClose: () => void }) {
  const registry = useRegistries((s) => s.list?.value?.find((r) => r.id === registryId));
  const setCredential = useRegistries((s) => s.setCredential);
  const [username, setUsername] = useState(registry?.credential.username ?? '');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  const keychain = useKeychain();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !secret) return;
    setBusy(true);
    setError(null);
    try {
      await setCredential(registryId, username.trim(), secret);
      setSecret('');
      onClose();
    } catch (e) {
      setError(toErrorData(e));
      setSecret('');
    } finally {
      setBusy(false);
    }
  };

  const name = registry?.name ?? registryId;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Sign in to ${name}`}
      description={
        <>
          {/* The title names the registry: its host is added only when the name is something else. */}
          {registry && registry.name !== registry.host ? <code>{registry.host}</code> : null} The password is checked
          with the registry, {KEPT_IN[keychain?.kind ?? 'unknown']}; Berth never shows it again.
        </>
      }
    >
      <form className="form" onSubmit={(e) => void submit(e)}>
        <KeychainNotice />
        <TextField
          label="Username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          autoFocus={!username}
          required
        />
        <TextField
          label="Password or token"
          type="password"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          autoComplete="current-password"
          autoFocus={Boolean(username)}
          required
          hint="For GHCR, GitLab or Docker Hub, an access token is safer than your account password."
        />
        {error ? (
          <div className="form-error" role="alert" data-testid="sign-in-error" data-error-code={error.code}>
            <strong>
              {error.code === 'unauthorized' ? 'Wrong username or password.' : adviseOn(error).title + '.'}
            </strong>{' '}
            {error.message}
          </div>
        ) : null}
        <div className="dialog-footer">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || !username.trim() || !secret}>
            {busy ? <Spinner size={12} /> : null}
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * Imports registries the Docker CLI already knows (~/.docker/config.json: `auths` and credential helpers).
 * Only hosts and usernames are listed; credentials stay where Docker keeps them and are used from there.
 */
import { useEffect, useState } from 'react';
import type { DockerConfigCandidate } from '../../../shared/types/settings';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { EmptyState, ErrorState, LoadingState, Spinner } from '../../components/states';
import { useApi } from '../../api/context';
import { toErrorData, type Loadable } from '../../stores/loadable';
import { useRegistries } from '../../stores/registries';

const SOURCE_LABELS: Record<DockerConfigCandidate['source'], string> = {
  keychain: 'keychain',
  session: 'session',
  'docker-config': 'config.json',
  'credential-helper': 'credential helper',
  none: 'no credential',
};

export function ImportDockerDialog({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const importDocker = useRegistries((s) => s.importDocker);
  const [candidates, setCandidates] = useState<Loadable<DockerConfigCandidate[]>>({ status: 'loading' });
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = () => {
    setCandidates({ status: 'loading' });
    api
      .call('registries.dockerCandidates', {})
      .then((value) => {
        setCandidates({ status: 'ready', value });
        setChosen(new Set(value.filter((c) => !c.alreadyAdded).map((c) => c.host)));
      })
      .catch((e: unknown) => setCandidates({ status: 'error', error: toErrorData(e) }));
  };
  useEffect(load, [api]);

  const toggle = (host: string, on: boolean) =>
    setChosen((current) => {
      const next = new Set(current);
      if (on) next.add(host);
      else next.delete(host);
      return next;
    });

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await importDocker([...chosen]);
      onClose();
    } catch (e) {
      setError(toErrorData(e).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Import from Docker"
      description="Registries from your Docker config. Their credentials stay in Docker's store and are used from there."
      width={560}
      footer={
        <>
          <FormError message={error} />
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={busy || chosen.size === 0}
            onClick={() => void submit()}
          >
            {busy ? <Spinner size={12} /> : null}
            Import {chosen.size > 0 ? chosen.size : ''}
          </button>
        </>
      }
    >
      {candidates.status === 'loading' ? (
        <LoadingState label="Reading the Docker config…" />
      ) : candidates.status === 'error' ? (
        <ErrorState error={candidates.error} handlers={{ retry: load }} compact />
      ) : candidates.value.length === 0 ? (
        <EmptyState
          title="Nothing to import"
          message="Your Docker config lists no registries. Run docker login first, or add a registry by hand."
          icon="docker"
        />
      ) : (
        <ul className="check-list" aria-label="Docker registries">
          {candidates.value.map((c) => (
            <li key={c.host}>
              <label>
                <input
                  type="checkbox"
                  disabled={c.alreadyAdded}
                  checked={chosen.has(c.host)}
                  onChange={(e) => toggle(c.host, e.target.checked)}
                />
                <code>{c.host}</code>
                <span className="muted">
                  {c.username ? `${c.username} · ` : ''}
                  {SOURCE_LABELS[c.source]}
                  {c.alreadyAdded ? ' · already added' : ''}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

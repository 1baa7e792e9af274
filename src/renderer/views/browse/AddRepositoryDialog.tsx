/**
 * Adds a repository by name, for registries that do not list theirs (Docker Hub, GHCR, ECR...) or list
 * only some. The name is checked by listing its tags first, so a typo is caught here, not later.
 */
import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/context';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/Field';
import { Spinner } from '../../components/states';
import { adviseOn } from '../../logic/errors';
import { useNavigation } from '../../navigation/store';
import { toErrorData } from '../../stores/loadable';
import { useRegistries } from '../../stores/registries';

const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export function AddRepositoryDialog({
  registryId,
  namespace,
  onClose,
}: {
  registryId: string;
  namespace?: string;
  onClose: () => void;
}) {
  const api = useApi();
  const registry = useRegistries((s) => s.list?.value?.find((r) => r.id === registryId));
  const addRepository = useRegistries((s) => s.addRepository);
  const navigate = useNavigation((s) => s.navigate);
  const [name, setName] = useState(namespace ? `${namespace}/` : '');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const repository = name.trim().replace(/^\/+|\/+$/g, '');
    if (!REPOSITORY_NAME.test(repository)) {
      setError('Use lower-case path components separated by /, e.g. team-a/service-x');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.call('registry.listTags', { registryId, repository });
      await addRepository(registryId, repository);
      navigate({ view: 'repository', registryId, repository });
      onClose();
    } catch (e) {
      const data = toErrorData(e);
      setError(
        data.code === 'not_found'
          ? `${registry?.host ?? 'The registry'} has no repository "${repository}".`
          : `${adviseOn(data).title}: ${data.message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Add a repository to ${registry?.name ?? registryId}`}
      description="For registries that do not list their repositories. Berth checks the name by listing its tags."
    >
      <form className="form" onSubmit={(e) => void submit(e)}>
        <TextField
          label="Repository"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="team-a/service-x"
          error={error}
          autoFocus
          spellCheck={false}
          required
        />
        <div className="dialog-footer">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>
            {busy ? <Spinner size={12} /> : null}
            Add repository
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * Adds a registry, checks that it answers, then opens it in the sidebar (and offers sign-in when it needs
 * one). One that does not answer is kept (it may be down for now, or need the network), with a warning that
 * says why and offers its settings. Test hooks: the warning has data-testid "add-registry-unreachable".
 */
import { useEffect, useState } from 'react';
import type { RegistryView } from '../../../shared/types/settings';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { LoadingState } from '../../components/states';
import { useNavigation } from '../../navigation/store';
import { toErrorData } from '../../stores/loadable';
import { useRegistries } from '../../stores/registries';
import { useUi } from '../../stores/ui';
import '../compare/compare.css';
import { formValuesOf, RegistryForm, registryInput } from './RegistryForm';

export function AddRegistryDialog({ onClose }: { onClose: () => void }) {
  const add = useRegistries((s) => s.add);
  const expand = useUi((s) => s.expand);
  const navigate = useNavigation((s) => s.navigate);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<RegistryView | null>(null);
  // The store checks a new registry's status as it adds it: the dialog waits for that answer.
  const status = useRegistries((s) => (added ? s.status[added.id] : undefined));
  const reachable = status?.status === 'ready' && status.value.reachable;
  const unreachable =
    status?.status === 'error'
      ? status.error.message
      : status?.status === 'ready' && !status.value.reachable
        ? (status.value.message ?? `${added?.host} did not answer.`)
        : undefined;

  useEffect(() => {
    if (added && reachable) {
      navigate({ view: 'registry', registryId: added.id });
      onClose();
    }
  }, [added, reachable, navigate, onClose]);

  const openAdded = () => {
    if (added) navigate({ view: 'registry', registryId: added.id });
    onClose();
  };

  if (added) {
    return (
      <Dialog
        open
        onOpenChange={(open) => !open && onClose()}
        title="Add registry"
        description={`${added.name} (${added.host}) is added.`}
        width={560}
        footer={
          <>
            {unreachable ? (
              <button
                type="button"
                className="button"
                onClick={() => {
                  navigate({ view: 'settings', registryId: added.id });
                  onClose();
                }}
              >
                Edit its settings
              </button>
            ) : null}
            <button type="button" className="button button-primary" onClick={openAdded}>
              {unreachable ? 'Open it anyway' : 'Open without waiting'}
            </button>
          </>
        }
      >
        {unreachable ? (
          <div className="notice notice-warning" role="alert" data-testid="add-registry-unreachable">
            <Icon name="alert" size={14} />
            <div>
              <strong>Added, but {added.host} does not answer.</strong>
              <div>{unreachable}</div>
              <div className="muted">
                It stays in your list: check the address in its settings, or open it once the registry is up.
              </div>
            </div>
          </div>
        ) : (
          <LoadingState label={`Checking that ${added.host} answers…`} />
        )}
      </Dialog>
    );
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Add registry"
      description="Any OCI registry: Docker Hub, GHCR, Quay, Harbor, GitLab, ECR, or your own."
      width={560}
    >
      <RegistryForm
        mode="add"
        initial={formValuesOf()}
        submitLabel="Add registry"
        footer={
          <>
            <FormError message={error} />
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
          </>
        }
        onSubmit={async (values) => {
          setError(null);
          try {
            const view = await add(registryInput(values));
            expand([`registry:${view.id}`]);
            setAdded(view);
          } catch (e) {
            setError(toErrorData(e).message);
          }
        }}
      />
    </Dialog>
  );
}

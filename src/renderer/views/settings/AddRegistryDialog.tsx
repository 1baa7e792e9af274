/** Adds a registry, then opens it in the sidebar (and offers sign-in when it needs one). */
import { useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { useNavigation } from '../../navigation/store';
import { toErrorData } from '../../stores/loadable';
import { useRegistries } from '../../stores/registries';
import { useUi } from '../../stores/ui';
import { formValuesOf, RegistryForm, registryInput } from './RegistryForm';

export function AddRegistryDialog({ onClose }: { onClose: () => void }) {
  const add = useRegistries((s) => s.add);
  const expand = useUi((s) => s.expand);
  const navigate = useNavigation((s) => s.navigate);
  const [error, setError] = useState<string | null>(null);
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
            navigate({ view: 'registry', registryId: view.id });
            onClose();
          } catch (e) {
            setError(toErrorData(e).message);
          }
        }}
      />
    </Dialog>
  );
}

/** Pieces the browse views share: the registry lookup and the registry/namespace/repository breadcrumb. */
import type { RegistryView as RegistrySettingsView } from '../../../shared/types/settings';
import { Breadcrumbs, type Crumb } from '../../components/Breadcrumbs';
import { useNavigation } from '../../navigation/store';
import { useRegistries } from '../../stores/registries';

export function useRegistry(registryId: string): { registry?: RegistrySettingsView; listLoaded: boolean } {
  const list = useRegistries((s) => s.list);
  return {
    registry: list?.value?.find((r) => r.id === registryId),
    listLoaded: list?.status === 'ready' || list?.value !== undefined,
  };
}

/** Crumbs for `path` in a registry: each namespace opens the registry view at that namespace. */
export function PathCrumbs({
  registryId,
  registryName,
  path,
  leaf,
}: {
  registryId: string;
  registryName: string;
  path: string;
  leaf?: string;
}) {
  const navigate = useNavigation((s) => s.navigate);
  const parts = path.split('/').filter(Boolean);
  const crumbs: Crumb[] = [{ label: registryName, onSelect: () => navigate({ view: 'registry', registryId }) }];
  parts.forEach((part, i) => {
    const namespace = parts.slice(0, i + 1).join('/');
    crumbs.push({ label: part, onSelect: () => navigate({ view: 'registry', registryId, namespace }) });
  });
  if (leaf) crumbs.push({ label: leaf });
  return <Breadcrumbs crumbs={crumbs} />;
}

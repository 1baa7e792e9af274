/**
 * The main pane: one view per route (see navigation/route.ts). Each view file owns its data loading; this
 * switch only picks it. Adding a view is one line here.
 */
import type { ReactNode } from 'react';
import type { Route } from '../navigation/route';
import type { RouteOrigin } from '../navigation/store';
import { HomeView } from './browse/HomeView';
import { RegistryView } from './browse/RegistryView';
import { RepositoryView } from './browse/RepositoryView';
import { ImageView } from './image/ImageView';
import { SettingsView } from './settings/SettingsView';
import { CompareView } from './compare/CompareView';
import { LayersView } from './layers/LayersView';
import { LanesView } from './promote/LanesView';
import { DockerView } from './docker/DockerView';
import { HistoryView } from './history/HistoryView';
import { SyncView } from './sync/SyncView';
import { MatrixView } from './matrix/MatrixView';
import { StorageView } from './storage/StorageView';
import { NeedsRebuildView } from './lineage/NeedsRebuildView';

/** `origin` outside: views that would read a user-named host or local source wait for a click (issue 13 g). */
export function RouteView({ route, origin }: { route: Route; origin: RouteOrigin }): ReactNode {
  const fromOutside = origin === 'outside';
  switch (route.view) {
    case 'home':
      return <HomeView />;
    case 'registry':
      return <RegistryView registryId={route.registryId} namespace={route.namespace ?? ''} />;
    case 'repository':
      return <RepositoryView registryId={route.registryId} repository={route.repository} />;
    case 'storage':
      return <StorageView registryId={route.registryId} namespace={route.namespace ?? ''} />;
    case 'rebuild':
      return <NeedsRebuildView registryId={route.registryId} namespace={route.namespace ?? ''} />;
    case 'image':
      return <ImageView reference={route.reference} platform={route.platform} fromOutside={fromOutside} />;
    case 'settings':
      return <SettingsView registryId={route.registryId} />;
    case 'compare':
      return <CompareView a={route.a} b={route.b} fromOutside={fromOutside} />;
    case 'layers':
      return <LayersView reference={route.reference} fromOutside={fromOutside} />;
    case 'lanes':
      return <LanesView />;
    case 'sync':
      return <SyncView />;
    case 'matrix':
      return (
        <MatrixView
          places={route.places}
          lane={route.lane}
          repositories={route.repositories}
          fromOutside={fromOutside}
        />
      );
    case 'docker':
      return <DockerView />;
    case 'history':
      return <HistoryView query={route.query} />;
  }
}

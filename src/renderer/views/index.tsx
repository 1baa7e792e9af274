/**
 * The main pane: one view per route (see navigation/route.ts). Each view file owns its data loading; this
 * switch only picks it. Adding a view is one line here.
 */
import type { ReactNode } from 'react';
import type { Route } from '../navigation/route';
import { EmptyState } from '../components/states';
import { HomeView } from './browse/HomeView';
import { RegistryView } from './browse/RegistryView';
import { RepositoryView } from './browse/RepositoryView';
import { ImageView } from './image/ImageView';
import { SettingsView } from './settings/SettingsView';

export function RouteView({ route }: { route: Route }): ReactNode {
  switch (route.view) {
    case 'home':
      return <HomeView />;
    case 'registry':
      return <RegistryView registryId={route.registryId} namespace={route.namespace ?? ''} />;
    case 'repository':
      return <RepositoryView registryId={route.registryId} repository={route.repository} />;
    case 'image':
      return <ImageView reference={route.reference} platform={route.platform} />;
    case 'settings':
      return <SettingsView registryId={route.registryId} />;
    case 'compare':
      return <NotBuiltYet title="Compare" />;
    case 'layers':
      return <NotBuiltYet title="Layers" />;
    case 'lanes':
      return <NotBuiltYet title="Promotion lanes" />;
    case 'docker':
      return <NotBuiltYet title="Local Docker" />;
    case 'history':
      return <NotBuiltYet title="History" />;
  }
}

function NotBuiltYet({ title }: { title: string }) {
  return <EmptyState title={title} message="This view is not part of this build yet." />;
}

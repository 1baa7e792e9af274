/**
 * The shell: a title bar with the search box, the sidebar of registries, the main pane for the current
 * route, and the status bar with running operations. Before anything else it checks that the API answers;
 * a page opened without its token (berth serve) gets a clear message and makes no API calls.
 */
import { useEffect, useState } from 'react';
import type { AppInfo } from '../shared/types/app';
import type { ErrorData } from '../shared/errors';
import { useApi } from './api/context';
import { MISSING_TOKEN } from './api/serve-token';
import { Icon } from './components/Icon';
import { LoadingState } from './components/states';
import { StatusBar } from './components/StatusBar';
import { useNavigation } from './navigation/store';
import { toErrorData } from './stores/loadable';
import { useRegistries } from './stores/registries';
import { useSearch } from './stores/search';
import { RouteView } from './views';
import { AppDialogs } from './views/settings/AppDialogs';
import { PromoteDialog } from './views/promote/PromoteDialog';
import { Sidebar } from './views/browse/Sidebar';
import { SearchPalette, searchShortcutLabel } from './views/search/SearchPalette';

export function App() {
  const api = useApi();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [connectError, setConnectError] = useState<ErrorData | null>(null);

  useEffect(() => {
    let live = true;
    api
      .call('app.info', {})
      .then((value) => {
        if (!live) return;
        setInfo(value);
        void useRegistries.of(api).getState().load();
      })
      .catch((error: unknown) => live && setConnectError(toErrorData(error)));
    return () => {
      live = false;
    };
  }, [api]);

  useGlobalShortcuts();

  if (connectError) return <ConnectionProblem error={connectError} />;
  if (!info) {
    return (
      <div className="app-splash">
        <LoadingState label="Connecting to Berth…" />
      </div>
    );
  }
  return <Shell info={info} />;
}

function Shell({ info }: { info: AppInfo }) {
  const route = useNavigation((s) => s.route);
  const origin = useNavigation((s) => s.origin);
  const navigate = useNavigation((s) => s.navigate);
  const setSearchOpen = useSearch((s) => s.setOpen);
  return (
    <div className="app">
      <header className="titlebar">
        <button type="button" className="brand" onClick={() => navigate({ view: 'home' })} aria-label="Berth home">
          <Icon name="anchor" size={16} />
          <span>Berth</span>
        </button>
        <button
          type="button"
          className="search-trigger"
          onClick={() => setSearchOpen(true)}
          aria-keyshortcuts="Control+K Meta+K /"
        >
          <Icon name="search" size={14} />
          <span>Search repositories and tags</span>
          {/* Named by its text; the shortcut is in aria-keyshortcuts. */}
          <kbd aria-hidden="true">{searchShortcutLabel()}</kbd>
        </button>
        <button
          type="button"
          className="icon-button titlebar-settings"
          aria-label="Settings"
          title="Settings (Ctrl+,)"
          onClick={() => navigate({ view: 'settings' })}
        >
          <Icon name="settings" size={15} />
        </button>
      </header>
      <Sidebar />
      <main className="main" aria-label="Main">
        <RouteView route={route} origin={origin} />
      </main>
      <StatusBar>
        <span title={`Berth ${info.version} on ${info.platform}`}>
          {info.transport === 'serve' || info.transport === 'cli' ? 'berth serve' : 'Desktop'} · {info.version}
        </span>
      </StatusBar>
      <SearchPalette />
      <AppDialogs />
      <PromoteDialog />
    </div>
  );
}

/** Ctrl/Cmd+K or "/" (outside text fields) opens search; Ctrl/Cmd+, opens settings. */
function useGlobalShortcuts() {
  const api = useApi();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const target = event.target as HTMLElement | null;
      const typing = Boolean(target?.closest?.('input, textarea, select, [contenteditable="true"]'));
      if ((mod && event.key.toLowerCase() === 'k') || (!typing && !mod && event.key === '/')) {
        event.preventDefault();
        useSearch.of(api).getState().setOpen(true);
      } else if (mod && event.key === ',') {
        event.preventDefault();
        useNavigation.getState().navigate({ view: 'settings' });
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [api]);
}

function ConnectionProblem({ error }: { error: ErrorData }) {
  const refused = error.code === 'unauthorized';
  // Without a token (in the link or kept for this tab) the page never tried to connect: say how to get the link.
  const noToken = refused && error.details?.[MISSING_TOKEN] === true;
  return (
    <div className="app-splash">
      <div className="connection-problem" role="alert" data-testid="connection-problem">
        <Icon name="lock" size={32} className="state-icon" />
        <h1>
          {noToken ? 'This page needs its access link' : refused ? 'Berth refused this link' : 'Berth is not answering'}
        </h1>
        {noToken ? null : <p>{error.message}</p>}
        {refused ? (
          <p className="state-hint">
            <code>berth serve</code> prints a link like <code>http://127.0.0.1:PORT/#token=…</code>. The token keeps
            other pages and users on this machine out: open that exact link, or run <code>berth serve</code> again for a
            new one.
          </p>
        ) : (
          <p className="state-hint">Check that Berth is still running, then reload this page.</p>
        )}
      </div>
    </div>
  );
}

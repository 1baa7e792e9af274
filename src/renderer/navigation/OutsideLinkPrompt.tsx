/**
 * The gate in front of a view opened from outside the app (a link, a reload, back/forward) whose reference
 * points at a registry host the user has not added or at a local source: the view shows what the link
 * names and waits for the user's click before any request (issue 13 g). See outside-link.ts.
 */
import { EmptyState, LoadingState } from '../components/states';
import { useRegistries } from '../stores/registries';
import { unapprovedSource, type UnapprovedSource } from './outside-link';
import { useNavigation } from './store';

export type OutsideLinkGate = { state: 'open' } | { state: 'checking' } | { state: 'ask'; source: UnapprovedSource };

/**
 * `open` when the view may load `reference` now: the route is the app's own, or it only reaches a registry
 * in the user's list. Until that list has loaded, `checking`; if it cannot load, every host is unknown.
 */
export function useOutsideLinkGate(reference: string, fromOutside: boolean): OutsideLinkGate {
  const list = useRegistries((s) => s.list);
  if (!fromOutside) return { state: 'open' };
  if (!list || (list.status === 'loading' && !list.value)) return { state: 'checking' };
  const source = unapprovedSource(reference, list.value ?? []);
  return source ? { state: 'ask', source } : { state: 'open' };
}

/** What the view shows instead of loading: what the link points at and the one button that opens it. */
export function OutsideLinkPrompt({
  gate,
  reference,
}: {
  gate: Exclude<OutsideLinkGate, { state: 'open' }>;
  reference: string;
}) {
  const confirmRoute = useNavigation((s) => s.confirmRoute);
  if (gate.state === 'checking') return <LoadingState label="Checking your registries…" />;
  const { source } = gate;
  const named = <code className="mono">{reference}</code>;
  const [title, message, action] =
    source.kind === 'host'
      ? [
          `Load an image from ${source.host}?`,
          <>
            This link points at {source.host}, which is not one of your registries. Berth contacts it only when you ask.
          </>,
          `Load from ${source.host}`,
        ]
      : source.kind === 'local'
        ? [
            'Read a local image?',
            <>
              This link opens {named}, {localWhat(source.transport)} on this computer. Berth reads it only when you ask.
            </>,
            'Read it',
          ]
        : [
            'Open this reference?',
            <>
              This link names {named}, which is not an image on one of your registries. Berth opens it only when you
              ask.
            </>,
            'Open',
          ];
  return (
    <div data-testid="outside-link" data-source={source.kind}>
      <EmptyState icon="link" title={title} message={message}>
        <button type="button" className="button button-primary" onClick={confirmRoute}>
          {action}
        </button>
      </EmptyState>
    </div>
  );
}

function localWhat(transport: string): string {
  if (transport === 'docker-daemon') return 'an image of the Docker engine';
  if (transport === 'oci') return 'an OCI layout directory';
  return 'a docker save file';
}

import { setMaxListeners } from 'node:events';
import { BerthError } from '../../shared/errors';

/** What a page leaving tells the caller still waiting for the answer (its reply would go nowhere anyway). */
const pageGone = () => new BerthError('cancelled', 'Cancelled: the window that started this closed or reloaded');

/** The parts of Electron's WebContents this module uses, so tests pass an EventEmitter. */
export interface PageEventsLike {
  on(event: 'destroyed', listener: () => void): unknown;
  on(event: 'render-process-gone', listener: () => void): unknown;
  on(
    event: 'did-start-navigation',
    listener: (details: { url: string; isMainFrame: boolean; isSameDocument: boolean }) => void,
  ): unknown;
}

/**
 * One AbortSignal per page shown in a WebContents, passed to the dispatcher with every IPC call of that page,
 * the way `berth serve` passes its connection's signal: when the page goes away its in-flight operations
 * are aborted (a pull or an index no one is waiting for any more would otherwise run to the end).
 *
 * A page goes away when its WebContents is destroyed, when its renderer process dies, and when the main
 * frame starts a cross-document navigation (reload, or a load of another app page). `did-start-navigation`
 * is used rather than `did-navigate`: it fires before the navigation's request is even made, so the next
 * page cannot have sent a request yet, whereas `did-navigate` reaches the main process after the commit,
 * when the new page's scripts may already have called in, and those calls would be aborted by mistake.
 * It also fires for navigations `will-navigate` later blocks (Electron's documented event order), so only
 * navigations to the app's own pages count: security.ts refuses every other one and the page stays.
 * Left out: a call the old page makes after the navigation started and before it unloads is not aborted;
 * it runs to its end and Electron drops its reply.
 */
export function createPageSignals(isAppUrl: (url: string) => boolean): {
  signalFor(contents: PageEventsLike): AbortSignal;
} {
  const watched = new WeakSet<PageEventsLike>();
  const current = new WeakMap<PageEventsLike, AbortController>();

  const endPage = (contents: PageEventsLike) => {
    current.get(contents)?.abort(pageGone());
    current.delete(contents);
  };

  const watch = (contents: PageEventsLike) => {
    watched.add(contents);
    contents.on('destroyed', () => endPage(contents));
    // The WebContents survives a crashed renderer and may be reloaded: the next page gets a fresh signal.
    contents.on('render-process-gone', () => endPage(contents));
    contents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument && isAppUrl(details.url)) endPage(contents);
    });
  };

  return {
    signalFor(contents) {
      if (!watched.has(contents)) watch(contents);
      let page = current.get(contents);
      if (!page) {
        page = new AbortController();
        // Every in-flight call of the page listens here (the dispatcher removes its listener when the call
        // ends); a busy page has more than Node's default of 10, which would only print a leak warning.
        setMaxListeners(0, page.signal);
        current.set(contents, page);
      }
      return page.signal;
    },
  };
}

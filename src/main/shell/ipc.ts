import { REQUEST_NAMES } from '../../shared/contract';
import type { Dispatcher, EventSink } from '../api/dispatcher';
import { EVENT_CHANNEL, requestChannel } from './channels';
import { createPageSignals, type PageEventsLike } from './page-lifetime';

/** The parts of Electron's ipcMain / event objects this module uses, so tests pass plain objects. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, input: unknown) => Promise<unknown>): void;
}
export interface IpcEventLike {
  senderFrame: { url: string; parent: unknown } | null;
  sender: PageEventsLike & { send(channel: string, ...args: unknown[]): void; isDestroyed(): boolean };
}

/**
 * Only the app's own main frame may call the API: a message from an iframe or from a page that
 * navigated elsewhere is refused (Electron security checklist, "validate the sender of all IPC messages").
 */
export function senderAllowed(event: IpcEventLike, isAppUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

export function registerIpc(ipcMain: IpcMainLike, dispatcher: Dispatcher, isAppUrl: (url: string) => boolean): void {
  // Calls end with the page that made them, as serve's end with their socket.
  const pages = createPageSignals(isAppUrl);
  // Events for every window (a registry Berth changed) go to each window that has called in, until it is destroyed.
  const subscribed = new WeakSet<IpcEventLike['sender']>();
  const subscribe = (sender: IpcEventLike['sender']) => {
    if (subscribed.has(sender)) return;
    subscribed.add(sender);
    const unsubscribe = dispatcher.subscribe((eventName, payload) => {
      if (!sender.isDestroyed()) sender.send(EVENT_CHANNEL, eventName, payload);
    });
    sender.on('destroyed', unsubscribe);
  };
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(requestChannel(name), async (event, input) => {
      if (!senderAllowed(event, isAppUrl))
        return { ok: false, error: { code: 'denied', message: 'Request from an untrusted frame' } };
      subscribe(event.sender);
      const sink: EventSink = (eventName, payload) => {
        if (!event.sender.isDestroyed()) event.sender.send(EVENT_CHANNEL, eventName, payload);
      };
      return dispatcher.call(name, input, sink, pages.signalFor(event.sender));
    });
  }
}

// The preload exposes exactly the contract: one invoke per request name from src/shared/contract.ts
// (checked here, and again in main), and the contract's event names. Never a generic ipcRenderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, isRequestName, type EventName } from '../../shared/contract';
import { EVENT_CHANNEL, requestChannel } from './channels';

contextBridge.exposeInMainWorld('berth', {
  invoke(name: unknown, input: unknown) {
    if (!isRequestName(name))
      return Promise.resolve({ ok: false, error: { code: 'invalid_input', message: 'Unknown request' } });
    return ipcRenderer.invoke(requestChannel(name), input);
  },
  on(event: EventName, listener: (payload: unknown) => void) {
    if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, name: EventName, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
});

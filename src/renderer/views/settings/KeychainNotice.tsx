/**
 * Where Berth keeps sign-ins, known before anyone signs in: when the OS keychain is unavailable, one line
 * says why and how to fix it (the backing from `app.info`), so a session-only credential is no surprise.
 * Test hook: data-testid "keychain-notice".
 */
import { useEffect } from 'react';
import type { KeychainBacking } from '../../../shared/types/app';
import { useApi } from '../../api/context';
import { Icon } from '../../components/Icon';
import { apiStore } from '../../stores/api-store';

interface KeychainState {
  backing?: KeychainBacking;
  load(): void;
}

// Main decides the backing once per process, so one answer per API client is enough.
const useKeychainStore = apiStore<KeychainState>((api) => (set) => {
  let asked = false;
  return {
    load() {
      if (asked) return;
      asked = true;
      api.call('app.info', {}).then(
        (info) => set({ backing: info.keychain }),
        () => {
          asked = false;
        },
      );
    },
  };
});

/** The keychain backing, or undefined until main has answered. */
export function useKeychain(): KeychainBacking | undefined {
  const api = useApi();
  useEffect(() => {
    useKeychainStore.of(api).getState().load();
  }, [api]);
  return useKeychainStore((s) => s.backing);
}

export function KeychainNotice() {
  const backing = useKeychain();
  if (backing?.kind !== 'session') return null;
  return (
    <div className="banner keychain-notice" role="note" data-testid="keychain-notice">
      <Icon name="key" size={13} /> {backing.reason} Credentials are kept for this session only.
    </div>
  );
}

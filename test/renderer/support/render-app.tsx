import { render } from '@testing-library/react';
import { ApiProvider } from '../../../src/renderer/api/context';
import { App } from '../../../src/renderer/App';
import type { BerthApi } from '../../../src/shared/contract';

/** The whole app on `api`, as main.tsx mounts it. */
export function renderApp(api: BerthApi) {
  return render(
    <ApiProvider api={api}>
      <App />
    </ApiProvider>,
  );
}

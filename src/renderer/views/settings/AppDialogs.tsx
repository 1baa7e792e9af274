/** The dialog any view can open through the ui store (one at a time), rendered once by the shell. */
import { useUi } from '../../stores/ui';
import { AddRepositoryDialog } from '../browse/AddRepositoryDialog';
import { AddRegistryDialog } from './AddRegistryDialog';
import { ImportDockerDialog } from './ImportDockerDialog';
import { SignInDialog } from './SignInDialog';

export function AppDialogs() {
  const dialog = useUi((s) => s.dialog);
  const close = useUi((s) => s.closeDialog);
  switch (dialog?.kind) {
    case 'signIn':
      return <SignInDialog key={dialog.registryId} registryId={dialog.registryId} onClose={close} />;
    case 'addRegistry':
      return <AddRegistryDialog onClose={close} />;
    case 'addRepository':
      return <AddRepositoryDialog registryId={dialog.registryId} namespace={dialog.namespace} onClose={close} />;
    case 'importDocker':
      return <ImportDockerDialog onClose={close} />;
    default:
      return null;
  }
}

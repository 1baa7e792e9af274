import type { CliCommand } from '../command';
import { credentialsCommands } from './credentials';
import { dockerCommands } from './docker';
import { layersCommands } from './layers';
import { promotionCommands } from './promotion';
import { serveCommands } from './serve';
import { registryCommands } from './registry';

/** Every `berth` command; each domain contributes its own list. */
export const commands: CliCommand[] = [
  ...serveCommands,
  ...credentialsCommands,
  ...dockerCommands,
  ...layersCommands,
  ...promotionCommands,
  ...registryCommands,
];

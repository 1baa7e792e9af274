import type { CliCommand } from '../command';
import { credentialsCommands } from './credentials';
import { deletionCommands } from './deletion';
import { dockerCommands } from './docker';
import { layersCommands } from './layers';
import { lineageCommands } from './lineage';
import { matrixCommands } from './matrix';
import { packagesCommands } from './packages';
import { promotionCommands } from './promotion';
import { serveCommands } from './serve';
import { registryCommands } from './registry';
import { storageCommands } from './storage';
import { syncCommands } from './sync';
import { trustCommands } from './trust';
import { vulnsCommands } from './vulns';

/** Every `berth` command; each domain contributes its own list. */
export const commands: CliCommand[] = [
  ...serveCommands,
  ...credentialsCommands,
  ...deletionCommands,
  ...dockerCommands,
  ...layersCommands,
  ...lineageCommands,
  ...matrixCommands,
  ...packagesCommands,
  ...promotionCommands,
  ...registryCommands,
  ...storageCommands,
  ...syncCommands,
  ...trustCommands,
  ...vulnsCommands,
];

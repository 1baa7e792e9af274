import type { CliCommand } from '../command';
import { serveCommands } from './serve';

/** Every `berth` command; each domain contributes its own list. */
export const commands: CliCommand[] = [...serveCommands];

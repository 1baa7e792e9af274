/**
 * Wires the Node-side services together. The Electron shell, `berth serve`, the CLI and the tests all
 * build their services here, passing paths and options in, so tests run real services on temp folders
 * and loopback ports. Nothing here imports electron.
 */
import { join } from 'node:path';
import {
  KEYCHAIN_SERVICE,
  createCredentialService,
  createRegistryService,
  createRegistryVerifier,
  createSettingsStore,
  createSystemSecretStore,
  type CredentialService,
  type RegistryService,
  type SecretStore,
  type SettingsBackendFactory,
  type SettingsStore,
} from './credentials';
import { createDockerService, registryClientProbe, settingsEngineChoice, type DockerService } from './docker';
import { createLayerService, type LayerService } from './layers';
import { createLogger, type Logger } from './logging/logger';
import { createRegistryClient, type RegistryClient } from './registry';
import { createRegistryBrowser, type RegistryBrowser, type RegistryWrite } from './registry/browser';
import { resolvePaths, type BerthPaths } from './paths';
import { createAuditLog, createPromotionService, settingsLaneStore, type PromotionService } from './promotion';
import { createEventHub, type EventHub } from './util/event-hub';
import { parseReference } from '../shared/reference';
import { BERTH_VERSION } from './version';

export interface ServicesOptions {
  transport: 'electron' | 'serve' | 'cli';
  env?: NodeJS.ProcessEnv;
  paths?: Partial<BerthPaths>;
  /** Echo log lines here too (the CLI's --debug). */
  logEcho?: NodeJS.WritableStream;
  /** The desktop shell passes `(options) => new ElectronStore(options)`; plain Node uses conf. */
  settingsBackend?: SettingsBackendFactory;
  /** Defaults to the OS keychain (keytar), falling back to memory for the session when there is none. */
  secrets?: SecretStore;
}

export interface AppContext {
  version: string;
  transport: ServicesOptions['transport'];
  paths: BerthPaths;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

export interface Services {
  app: AppContext;
  /** The settings file (registries; other features add their own sections, e.g. `lanes`). */
  settings: SettingsStore;
  /** Berth's own secrets: the OS keychain, or memory for the session. */
  secrets: SecretStore;
  /** Credentials for a host: keychain first, then the Docker config and its helpers. */
  credentials: CredentialService;
  registries: RegistryService;
  registry: RegistryClient;
  /** Browsing on top of the client: listings, inspect, tag details (disk-cached by digest), search index. */
  browser: RegistryBrowser;
  /** A registryId from the API: a settings id, or a plain host for a registry not in the list. */
  resolveRegistry: RegistryService['resolve'];
  /** The local Docker engine (pull, push, tag, images, export for `docker-daemon:` sources). */
  docker: DockerService;
  /** Promotion: plans, executions (registry to registry or through the engine), lanes, audit log. */
  promotion: PromotionService;
  /** Layer indexes, merged trees, image diffs and file contents, from any image source. */
  layers: LayerService;
  /** Events for every window (`registry.changed`), which the dispatcher hands to the transports. */
  events: EventHub;
  /** Releases sockets, timers and child processes. */
  close(): Promise<void>;
}

export async function createServices(options: ServicesOptions): Promise<Services> {
  const env = options.env ?? process.env;
  const paths = { ...resolvePaths(env), ...options.paths };
  const logger = createLogger({ dir: paths.logDir, echo: options.logEcho });
  const app: AppContext = { version: BERTH_VERSION, transport: options.transport, paths, env, logger };
  const closers: (() => Promise<void> | void)[] = [];

  const settings = createSettingsStore({
    configDir: paths.configDir,
    ...(options.settingsBackend ? { backend: options.settingsBackend } : {}),
  });
  const secrets = options.secrets ?? createSystemSecretStore({ service: KEYCHAIN_SERVICE });
  // Profiles (BERTH_CONFIG_DIR) share the OS keychain: their items are told apart by the config folder.
  const defaultConfigDir = resolvePaths({ ...env, BERTH_CONFIG_DIR: undefined }).configDir;
  const credentials = createCredentialService({
    settings,
    secrets,
    env,
    ...(paths.configDir === defaultConfigDir ? {} : { accountScope: paths.configDir }),
  });
  const registries = createRegistryService({ settings, credentials, access: () => access });
  const registryTransport = { hostOptions: (host: string) => registries.hostOptions(host), env };
  const events = createEventHub((error) =>
    logger.log('error', 'events', `a subscriber failed: ${(error as Error)?.message ?? String(error)}`),
  );
  // Every write Berth makes to a registry (the client's manifest writes; pushes through the engine, below)
  // updates the registry index and then tells every window, which reads again what changed.
  const noteWrite = (write: RegistryWrite): Promise<void> =>
    browser
      .noteWrite(write)
      .catch((error) => logger.log('error', 'registry', `index after a write: ${(error as Error).message}`));
  const registry = createRegistryClient({
    ...registryTransport,
    credentials: credentials.resolve,
    onWrite: ({ registry: host, ...write }) => noteWrite({ host, ...write }),
  });
  const access = createRegistryVerifier({ client: () => registry, probeOptions: () => registryTransport });
  closers.push(() => registry.close());
  const browser = createRegistryBrowser({
    client: registry,
    resolveRegistry: (idOrHost) => registries.resolve(idOrHost),
    registryIdForHost: (host) => registries.resolve(host).id,
    cacheDir: paths.cacheDir,
    onChange: (change) => events.emit('registry.changed', change),
    onIndexFallback: (reason) => logger.log('warn', 'registry', reason),
  });
  closers.push(() => browser.close());
  const engine = createDockerService({
    env,
    choice: settingsEngineChoice(settings),
    resolveCredential: credentials.resolve,
    probeRegistry: registryClientProbe(registry),
  });
  const docker: DockerService = {
    ...engine,
    async push(reference, transferOptions) {
      const result = await engine.push(reference, transferOptions);
      const pushed = parseReference(result.reference);
      await noteWrite({
        host: pushed.registry,
        repository: pushed.repository,
        ...(pushed.tag !== undefined ? { tag: pushed.tag } : {}),
        ...(result.digest ? { digest: result.digest } : {}),
      });
      return result;
    },
  };
  closers.push(() => docker.close());
  const promotion = createPromotionService({
    registry,
    engine: docker,
    lanes: settingsLaneStore(settings),
    registryHost: (id) => settings.registries().find((record) => record.id === id)?.host,
    audit: createAuditLog(paths.dataDir),
    registryUser: async (host) => (await credentials.describe(host)).username,
    onAuditError: (error) => logger.log('error', 'promotion', `audit log: ${(error as Error).message}`),
  });
  const layers = createLayerService({
    cacheDir: join(paths.cacheDir, 'layers'),
    registry,
    daemon: {
      exportImage: (image, signal) => docker.exportImage(image, signal),
      imageId: async (image, signal) => (await docker.inspect(image, signal)).id,
    },
  });
  closers.push(() => layers.close());

  return {
    app,
    settings,
    secrets,
    credentials,
    registries,
    registry,
    browser,
    resolveRegistry: (idOrHost) => registries.resolve(idOrHost),
    docker,
    promotion,
    layers,
    events,
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}

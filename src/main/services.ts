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
import { createTrustService, type TrustService } from './trust/signatures/trust-service';
import { settingsTrustPolicyStore, type TrustPolicyStore } from './trust/signatures/policy';
import { attachedSbomCheck, signatureCheck, type GateDeps } from './promotion/gates';
import { createVulnService, type VulnService } from './trust/vulns/vuln-service';
import { compareVersions } from './trust/packages/versions';
import { PackageService } from './trust/packages/package-service';
import { createSyncService, type SyncService } from './sync/sync-service';
import { settingsSyncRuleStore } from './sync/sync-rules';
import { createUsageService, type UsageService } from './lifecycle/usage-service';
import { createDeleteService, type DeleteService } from './lifecycle/delete-service';
import { settingsRetentionStore } from './lifecycle/retention-store';
import { guessRegistryKind } from './credentials/hosts';
import { createLineageService, type LineageService } from './lineage/lineage-service';
import { createMatrixService, type MatrixService } from './sync/matrix';
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
  /** Package inventories read from the layers (dpkg, apk, npm, Python...), package diffs, SBOM exports. */
  packages: PackageService;
  /** Vulnerabilities: OSV matching of the package inventory, attached scan reports. */
  vulns: VulnService;
  /** The drift matrix: repositories across registries, namespaces or lane stages, from the registry index. */
  matrix: MatrixService;
  /** Storage usage per registry, namespace and repository, from the registry index. */
  usage: UsageService;
  /** Untag, delete by digest with its blast radius, retention plans and their exact application (DEL). */
  deletion: DeleteService;
  /** Lineage: bases, dependents and stale images by layer chains, from the registry index. */
  lineage: LineageService;
  /** Sync rules, plans and runs between registries (on promotion's copy engine). */
  sync: SyncService;
  /** Signatures and attestations of images, verified against the trust policies. */
  trust: TrustService;
  /** Trust policies per registry and namespace, in the settings file. */
  trustPolicies: TrustPolicyStore;
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
  const audit = createAuditLog(paths.dataDir);
  // Vulnerabilities (VULN): OSV matching of PKG's inventory (created below with the layer engine).
  const vulns = createVulnService({
    inventory: { inventory: (reference, signal) => packages.inventory(reference, signal) },
    compareVersions: (type, a, b) => compareVersions(type as Parameters<typeof compareVersions>[0], a, b),
    registry,
    dataDir: paths.dataDir,
    // The trust service is created below; attestations are read only when a request runs.
    attestations: { attestations: (reference, options) => trust.attestations(reference, options) },
  });
  const gates: GateDeps = {
    verifySignature: signatureCheck({ verify: (reference, options) => trust.verify(reference, options) }, () =>
      trustPolicies.list(),
    ),
    attachedReports: (reference, signal) => vulns.attached(reference, signal),
    osvScan: async (reference, signal) =>
      (await vulns.database(signal)) ? vulns.scan(reference, signal ? { signal } : {}) : undefined,
    sbom: attachedSbomCheck({
      registry,
      attestations: { attestations: (reference, options) => trust.attestations(reference, options) },
    }),
  };
  const promotion = createPromotionService({
    registry,
    engine: docker,
    lanes: settingsLaneStore(settings),
    registryHost: (id) => settings.registries().find((record) => record.id === id)?.host,
    audit,
    registryUser: async (host) => (await credentials.describe(host)).username,
    onAuditError: (error) => logger.log('error', 'promotion', `audit log: ${(error as Error).message}`),
    gates,
  });
  const sync = createSyncService({
    registry,
    rules: settingsSyncRuleStore(settings),
    audit,
    // `latest N` on tags that are not versions: the date from the registry index, else read once.
    created: async (host, repository, digest, signal) =>
      (await (await browser.registryIndex()).summary(digest))?.created ??
      (await registry.inspect({ registry: host, repository, digest }, { signal })).config?.created,
    registryUser: async (host) => (await credentials.describe(host)).username,
    // The same gate checks as promotion's: a sync into a gated stage passes what a promotion would.
    gates: {
      lanes: () => settingsLaneStore(settings).list(),
      hostOf: (id) => settings.registries().find((record) => record.id === id)?.host,
      deps: gates,
    },
  });
  const trustPolicies = settingsTrustPolicyStore(settings);
  const trust = createTrustService({ registry, policies: trustPolicies });
  const layers = createLayerService({
    cacheDir: join(paths.cacheDir, 'layers'),
    registry,
    debug: (message) => logger.log('debug', 'layers', message),
    daemon: {
      exportImage: (image, signal) => docker.exportImage(image, signal),
      imageId: async (image, signal) => (await docker.inspect(image, signal)).id,
    },
  });
  closers.push(() => layers.close());
  const packages = new PackageService({
    layers,
    cacheDir: join(paths.cacheDir, 'packages'),
    toolVersion: BERTH_VERSION,
  });

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
    vulns,
    sync,
    layers,
    packages,
    matrix: createMatrixService({ browser, lanes: () => settingsLaneStore(settings).list() }),
    usage: createUsageService({ browser }),
    deletion: createDeleteService({
      browser,
      audit,
      lanes: {
        lanes: () => settingsLaneStore(settings).list(),
        registryHost: (id) => settings.registries().find((record) => record.id === id)?.host,
      },
      policies: settingsRetentionStore(settings),
      registryKind: (host) =>
        settings.registries().find((record) => record.host === host)?.kind ?? guessRegistryKind(host),
    }),
    lineage: createLineageService({ browser }),
    trust,
    trustPolicies,
    events,
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}

import type { Readable } from 'node:stream';
import type { buildConnector } from 'undici';
import { BerthError } from '../../shared/errors';
import { familiarReference, parseReference, type ImageReference } from '../../shared/reference';
import type { EngineInfo, EngineSource, LocalImage, LocalImageDetails } from '../../shared/types/docker';
import type { CredentialResolver, RegistryCredential } from '../credentials/credential';
import { discoverEngines, userHostTls, type Discovery } from './discovery';
import { isPlainRemote, parseEngineHost, PROTECT_ENGINE_ADVICE, type EngineEndpoint } from './endpoint';
import { EngineClient } from './engine-client';
import type { EngineChoiceStore } from './engine-choice';
import type { RegistryProbe } from './registry-probe';
import { registryAuthHeader } from './registry-auth';
import type { JsonMessage } from './json-messages';
import { TransferTracker, type TransferDirection, type TransferSnapshot } from './transfer-progress';

export interface DockerServiceOptions {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Where `~/.docker` is looked for; defaults to HOME. */
  homeDir?: string;
  choice: EngineChoiceStore;
  /** Berth's credentials (keychain, Docker config, helpers), turned into the engine's X-Registry-Auth. */
  resolveCredential: CredentialResolver;
  /** Whether a registry wants credentials, asked before a push Berth has no credential for. */
  probeRegistry: RegistryProbe;
  /** Opens the connections to the engine instead of undici (tests: to see that none is made). */
  connector?: buildConnector.connector;
}

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (snapshot: TransferSnapshot) => void;
}

export interface TransferResult {
  /** The image as the engine names it: `alpine:3.20`, `127.0.0.1:5000/team/app:1.0`. */
  reference: string;
  digest?: string;
}

export interface DockerService {
  /** Which engine Berth uses, where that choice came from, whether it answers, and the others found. */
  engine(signal?: AbortSignal): Promise<EngineInfo>;
  /**
   * Use this engine from now on (kept in the settings); null goes back to finding it as the Docker CLI does.
   * A remote engine over plain TCP is refused unless `allowInsecureRemote` says the user confirmed it.
   */
  setEngine(
    host: string | null,
    options?: { allowInsecureRemote?: boolean },
    signal?: AbortSignal,
  ): Promise<EngineInfo>;
  images(signal?: AbortSignal): Promise<LocalImage[]>;
  inspect(image: string, signal?: AbortSignal): Promise<LocalImageDetails>;
  pull(reference: string, options?: TransferOptions): Promise<TransferResult>;
  push(reference: string, options?: TransferOptions): Promise<TransferResult>;
  tag(source: string, target: string, signal?: AbortSignal): Promise<{ source: string; target: string }>;
  /** Untags (and deletes when no tag is left); `force` only when asked, as it also removes images containers use. */
  remove(image: string, force: boolean, signal?: AbortSignal): Promise<{ removed: string[] }>;
  /** The image as a `docker save` tar stream (for `docker-daemon:` sources). */
  exportImage(image: string, signal?: AbortSignal): Promise<Readable>;
  close(): Promise<void>;
}

interface ResolvedEngine {
  source: EngineSource;
  contextName?: string;
  discovery: Discovery;
  /** The host string as configured, kept when it could not be parsed. */
  host: string;
  endpoint?: EngineEndpoint;
  problem?: BerthError;
}

/** A full image ID or an unambiguous prefix of one: the engine resolves these itself. */
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{12,64}$/;

/** An image the engine already has, by ID or by name, in the form the engine expects in its paths. */
function localImageName(input: string): string {
  const text = input.trim();
  return IMAGE_ID.test(text) ? text : familiarReference(parseReference(text));
}

function withTarget(ref: ImageReference, tag: string): string {
  return familiarReference({
    registry: ref.registry,
    repository: ref.repository,
    ...(tag.includes(':') ? { digest: tag } : { tag }),
  });
}

export function createDockerService(options: DockerServiceOptions): DockerService {
  const platform = options.platform ?? process.platform;
  let current: { key: string; client: Promise<EngineClient> } | undefined;
  /** Clients of engines switched away from, closing once their running transfers end. */
  const retired = new Set<EngineClient>();

  function discover(): Promise<Discovery> {
    return discoverEngines({ env: options.env, platform, ...(options.homeDir ? { homeDir: options.homeDir } : {}) });
  }

  /** A host found by discovery brings its own TLS settings (a context's); one typed in is read as DOCKER_HOST would be. */
  function endpointOf(host: string, discovery: Discovery): EngineEndpoint {
    const picked = discovery.candidates.find((c) => c.host === host);
    return parseEngineHost(host, picked ? picked.tls : userHostTls(options.env, options.homeDir));
  }

  async function resolveEngine(): Promise<ResolvedEngine> {
    const discovery = await discover();
    const chosen = options.choice.get();
    const picked = chosen !== undefined ? discovery.candidates.find((c) => c.host === chosen) : discovery.selected;
    const source: EngineSource = chosen !== undefined ? 'user' : discovery.selected.source;
    const host = chosen ?? discovery.selected.host;
    const resolved: ResolvedEngine = {
      source,
      discovery,
      host,
      ...(picked?.contextName ? { contextName: picked.contextName } : {}),
    };
    try {
      resolved.endpoint = endpointOf(host, discovery);
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      const origin =
        source === 'env'
          ? 'DOCKER_HOST'
          : source === 'context'
            ? `Docker context "${resolved.contextName}"`
            : 'the engine chosen in Berth';
      resolved.problem = new BerthError(error.code, `${error.message} (from ${origin})`);
    }
    return resolved;
  }

  /** One client per engine: reused while the engine stays the same, retired when it changes. */
  async function clientFor(resolved: ResolvedEngine): Promise<EngineClient> {
    if (!resolved.endpoint) throw resolved.problem!;
    const key = JSON.stringify(resolved.endpoint);
    if (current?.key !== key) {
      const previous = current;
      const opening = EngineClient.open(resolved.endpoint, platform, options.connector);
      current = { key, client: opening };
      // A bad TLS file must not stick: the next call tries again.
      opening.catch(() => {
        if (current?.client === opening) current = undefined;
      });
      if (previous) void previous.client.then(retire, () => undefined);
    }
    return current.client;
  }

  function retire(client: EngineClient): void {
    // A transfer may still run on the old engine: it finishes before the connections close.
    retired.add(client);
    void client
      .close({ graceful: true })
      .catch(() => undefined)
      .finally(() => retired.delete(client));
  }

  async function client(): Promise<EngineClient> {
    return clientFor(await resolveEngine());
  }

  /**
   * The engine for a pull or push. A credential travels in X-Registry-Auth, in clear over plain TCP: to a
   * remote engine without TLS it is refused here, before any connection (issue 13 d). Anonymous is fine.
   */
  async function engineFor(registry: string, credential: RegistryCredential | undefined): Promise<EngineClient> {
    const resolved = await resolveEngine();
    if (credential !== undefined && resolved.endpoint && isPlainRemote(resolved.endpoint)) {
      throw new BerthError(
        'unsupported',
        `Berth will not send your credentials for ${registry} to the Docker engine at ${resolved.endpoint.host}: it is reached over plain TCP ` +
          `without TLS, so they would cross the network readable by anyone on the way. ${PROTECT_ENGINE_ADVICE} Pulls and pushes that need no credentials still work.`,
        { host: resolved.endpoint.host, registry },
      );
    }
    return clientFor(resolved);
  }

  async function describe(resolved: ResolvedEngine, signal?: AbortSignal): Promise<EngineInfo> {
    const info: EngineInfo = {
      host: resolved.endpoint?.host ?? resolved.host,
      source: resolved.source,
      ...(resolved.contextName ? { contextName: resolved.contextName } : {}),
      reachable: false,
      candidates: resolved.discovery.candidates.map(({ host, source, contextName, present }) => ({
        host,
        source,
        present,
        ...(contextName ? { contextName } : {}),
      })),
    };
    const notes = resolved.source === 'user' ? [] : [...resolved.discovery.warnings];
    if (resolved.endpoint && isPlainRemote(resolved.endpoint)) {
      notes.push(
        `This engine is reached over plain TCP without TLS: Berth sends it no registry credentials (pulls and pushes that need none still work). ${PROTECT_ENGINE_ADVICE}`,
      );
    }
    try {
      const version = await (await clientFor(resolved)).version(signal);
      Object.assign(info, {
        reachable: true,
        ...(version.product ? { product: version.product } : {}),
        version: version.version,
        apiVersion: version.apiVersion,
        os: version.os,
        arch: version.arch,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      notes.unshift(error instanceof BerthError ? error.message : String(error));
    }
    if (notes.length > 0) info.message = notes.join(' ');
    return info;
  }

  /**
   * Runs a pull or push stream through the tracker, reporting every change (how often that reaches the UI is
   * the API's one throttle); `finish` checks the outcome before the final 100%.
   */
  async function transfer(
    direction: TransferDirection,
    transferOptions: TransferOptions,
    engine: EngineClient,
    start: (engine: EngineClient) => Promise<AsyncGenerator<JsonMessage>>,
    finish: (tracker: TransferTracker, engine: EngineClient) => Promise<TransferResult>,
  ): Promise<TransferResult> {
    const tracker = new TransferTracker(direction);
    const report = transferOptions.onProgress;
    for await (const message of await start(engine)) {
      if (tracker.apply(message) !== 'none') report?.(tracker.snapshot());
    }
    const result = await finish(tracker, engine);
    tracker.complete();
    report?.(tracker.snapshot());
    return result;
  }

  return {
    async engine(signal) {
      return describe(await resolveEngine(), signal);
    },

    async setEngine(host, { allowInsecureRemote = false } = {}, signal) {
      if (host === null) {
        options.choice.set(undefined);
      } else {
        const discovery = await discover();
        // An engine found by discovery is kept as it is named there, so that its TLS settings come along;
        // another is parsed first, so that a typo is refused rather than stored, and kept in canonical form.
        const found = discovery.candidates.find((c) => c.host === host.trim());
        const stored = found ? found.host : parseEngineHost(host, userHostTls(options.env, options.homeDir)).host;
        const endpoint = endpointOf(stored, discovery);
        if (isPlainRemote(endpoint) && !allowInsecureRemote) {
          throw new BerthError(
            'invalid_input',
            `${endpoint.host} is a remote Docker engine over plain TCP, without TLS: anyone on the network between can read and change ` +
              `what Berth and the engine exchange, and anyone who reaches that port controls the engine. Confirm it in Berth's settings (CLI: \`berth docker engine HOST --allow-insecure-remote\`) to use ` +
              `it anyway (Berth will not send it registry credentials), or protect it first. ${PROTECT_ENGINE_ADVICE}`,
            { confirm: 'insecure-remote-engine', host: endpoint.host },
          );
        }
        options.choice.set(stored);
      }
      return describe(await resolveEngine(), signal);
    },

    async images(signal) {
      return (await client()).listImages(signal);
    },

    async inspect(image, signal) {
      return (await client()).inspectImage(localImageName(image), signal);
    },

    async pull(reference, transferOptions = {}) {
      const ref = parseReference(reference);
      const target = ref.digest ?? ref.tag ?? 'latest';
      const name = familiarReference({ registry: ref.registry, repository: ref.repository });
      const pulled = withTarget(ref, target);
      const credential = await options.resolveCredential(ref.registry);
      const engine = await engineFor(ref.registry, credential);
      const auth = registryAuthHeader(ref.registry, credential);
      const { signal } = transferOptions;
      return transfer(
        'pull',
        transferOptions,
        engine,
        (engine) => engine.pull(name, target, auth, signal),
        async (tracker, engine) => {
          let digest = tracker.digest;
          if (!tracker.finished || digest === undefined) {
            // Podman does not send Docker's closing "Status:" line, and a stream cut short sends none: whether
            // the image is now there decides. The inspect also gives the digest when the stream did not.
            const image = await engine.inspectImage(pulled, signal).catch((error: unknown) => {
              if (signal?.aborted) throw error;
              throw new BerthError(
                'bad_response',
                `The Docker engine ended the pull of ${pulled} before it finished; the image is not there. Try again.`,
              );
            });
            digest ??= image.repoDigests.find((d) => d.startsWith(`${name}@`))?.split('@')[1];
          }
          return { reference: pulled, ...(digest ? { digest } : {}) };
        },
      );
    },

    async push(reference, transferOptions = {}) {
      const ref = parseReference(reference);
      if (ref.digest !== undefined) {
        throw new BerthError(
          'invalid_input',
          `Push needs a tag, not a digest ("${reference}"): tag the image first, then push the tag.`,
        );
      }
      const tag = ref.tag ?? 'latest';
      const name = familiarReference({ registry: ref.registry, repository: ref.repository });
      const pushed = withTarget(ref, tag);
      const { signal } = transferOptions;
      const credential = await options.resolveCredential(ref.registry);
      if (credential === undefined && (await options.probeRegistry(ref.registry, signal)) === 'auth-required') {
        throw new BerthError(
          'unauthorized',
          `Berth has no credentials for ${ref.registry}, and it requires them to push ${pushed}. Add them in Berth (Registries, sign in) or with \`docker login ${ref.registry}\`, then push again.`,
          { registry: ref.registry },
        );
      }
      const engine = await engineFor(ref.registry, credential);
      const auth = registryAuthHeader(ref.registry, credential);
      return transfer(
        'push',
        transferOptions,
        engine,
        (engine) => engine.push(name, tag, auth, signal),
        async (tracker) => {
          if (!tracker.finished) {
            throw new BerthError(
              'bad_response',
              `The Docker engine ended the push of ${pushed} without confirming it; the push may be incomplete. Try again.`,
            );
          }
          return { reference: pushed, ...(tracker.digest ? { digest: tracker.digest } : {}) };
        },
      );
    },

    async tag(source, target, signal) {
      const sourceName = localImageName(source);
      const ref = parseReference(target);
      if (ref.digest !== undefined)
        throw new BerthError('invalid_input', `A tag target cannot have a digest: "${target}"`);
      const tagged = withTarget(ref, ref.tag ?? 'latest');
      await (
        await client()
      ).tag(
        sourceName,
        familiarReference({ registry: ref.registry, repository: ref.repository }),
        ref.tag ?? 'latest',
        signal,
      );
      return { source: sourceName, target: tagged };
    },

    async remove(image, force, signal) {
      return { removed: await (await client()).removeImage(localImageName(image), force, signal) };
    },

    async exportImage(image, signal) {
      return (await client()).exportImage(localImageName(image), signal);
    },

    async close() {
      const clients = [...retired, ...(current ? [await current.client.catch(() => undefined)] : [])];
      current = undefined;
      await Promise.all(clients.map((client) => client?.close({ graceful: false }).catch(() => undefined)));
    },
  };
}

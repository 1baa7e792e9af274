/** Local Docker engine types (Docker Engine API v1.25+; written against v1.41). */

/** Where an engine choice came from: DOCKER_HOST, a Docker context, the platform default, Podman, or the user. */
export type EngineSource = 'env' | 'context' | 'default' | 'podman' | 'user';

/** An engine Berth found on this machine and could switch to. */
export interface EngineCandidateInfo {
  host: string;
  source: Exclude<EngineSource, 'user'>;
  contextName?: string;
  /** The socket file exists (tcp engines are always listed as present). */
  present: boolean;
}

export interface EngineInfo {
  /** e.g. `unix:///var/run/docker.sock`, `tcp://host:2376`. */
  host: string;
  /** Where the choice came from: DOCKER_HOST, a context, the platform default, podman, or the user. */
  source: EngineSource;
  contextName?: string;
  reachable: boolean;
  /** Engine product and version, e.g. "Docker Engine - Community" / "Podman Engine", "20.10.24". */
  product?: string;
  version?: string;
  /** The engine's own API version; Berth speaks min(this, its newest). */
  apiVersion?: string;
  os?: string;
  arch?: string;
  /** Why it is unreachable and how to fix it, or a note about the choice (a dangling context). */
  message?: string;
  /** Every engine found here, for "use another engine" (`docker.engine` always lists them, the current one first). */
  candidates?: EngineCandidateInfo[];
}

export interface LocalImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  created: string;
}

export interface LocalImageHistoryStep {
  /** Image id of the step, or `<missing>` for steps built elsewhere. */
  id: string;
  created: string;
  createdBy: string;
  size: number;
  comment?: string;
  tags: string[];
}

/** `docker image inspect` plus `docker history`, in the shape the UI needs. */
export interface LocalImageDetails extends LocalImage {
  os: string;
  architecture: string;
  variant?: string;
  author?: string;
  env: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  workingDir?: string;
  user?: string;
  labels: Record<string, string>;
  exposedPorts: string[];
  /** Uncompressed layer digests (rootfs.diff_ids), base first. */
  layers: string[];
  /** Newest step first, as the engine returns it. */
  history: LocalImageHistoryStep[];
}

/**
 * What a route opened from outside the app (see `RouteOrigin` in store.ts) would reach that the user has
 * not chosen. A link, a reload or back/forward is not consent (issue 13 g): an image on a registry the
 * user has added is fine to load, but a host that is not in their list, a local source (a `docker save`
 * file, an OCI layout directory, the Docker engine) or anything Berth cannot place waits for a click.
 */
import { parseReference } from '../../shared/reference';
import type { RegistryView } from '../../shared/types/settings';
import { findRegistryByHost } from '../stores/registries';

export type UnapprovedSource =
  /** A registry host that is not in the user's list. */
  | { kind: 'host'; host: string }
  /** A source on this machine: a file, a directory or the engine (skopeo's transport names). */
  | { kind: 'local'; transport: string }
  /** A reference Berth cannot read here: its server-side parse decides, so it is not opened unasked either. */
  | { kind: 'unknown' };

/** Transports that read this machine instead of a registry (src/main/layers/sources/source-reference.ts). */
const LOCAL_TRANSPORTS = ['docker-daemon', 'docker-archive', 'oci'];
const REGISTRY_TRANSPORT = 'docker://';

/** Undefined when opening `reference` only talks to a registry in `registries`. */
export function unapprovedSource(reference: string, registries: readonly RegistryView[]): UnapprovedSource | undefined {
  const text = reference.trim();
  const name = text.startsWith(REGISTRY_TRANSPORT) ? text.slice(REGISTRY_TRANSPORT.length) : text;
  const transport = /^([a-z][a-z0-9-]*):/i.exec(name)?.[1];
  if (transport && LOCAL_TRANSPORTS.includes(transport.toLowerCase()))
    return { kind: 'local', transport: transport.toLowerCase() };
  let host: string;
  try {
    host = parseReference(name).registry;
  } catch {
    return { kind: 'unknown' };
  }
  return findRegistryByHost(registries, host) ? undefined : { kind: 'host', host };
}

export const PROTOCOL = 'berth';

/** The `berth://...` argument of a second start or an OS protocol launch, if any. */
export function deepLinkFromArgv(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.startsWith(`${PROTOCOL}://`));
}

/** `berth://registries/x?y` -> `/registries/x?y`; anything odd becomes the home path. */
export function deepLinkPath(link: string): string {
  try {
    const url = new URL(link);
    if (url.protocol !== `${PROTOCOL}:`) return '/';
    // In `berth://registries/x`, "registries" parses as the host: put it back in front of the path.
    return `/${url.host}${url.pathname === '/' ? '' : url.pathname}${url.search}`.replace(/\/{2,}/g, '/');
  } catch {
    return '/';
  }
}

/** Whether a URL is one of the app's own pages (the packaged file:// renderer or the dev server). */
export function createAppUrlCheck(rendererUrl: string): (url: string) => boolean {
  const app = new URL(rendererUrl);
  return (url: string) => {
    try {
      const candidate = new URL(url);
      if (app.protocol === 'file:') return candidate.protocol === 'file:' && candidate.pathname === app.pathname;
      return candidate.origin === app.origin;
    } catch {
      return false;
    }
  };
}

/** Links leave the app only to the system browser, and only over https (http stays blocked). */
export function externalUrlAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * A link to a place in Berth that someone else (or a script) can open: `berth://PATH` for the desktop app
 * (the shell registers the protocol), and in `berth serve` the page's own address without the token,
 * since the token must come from the person's own `berth serve`.
 */
import { formatRoute, type Route } from '../navigation/route';

export function shareableLink(route: Route, location: { protocol: string; origin: string } = window.location): string {
  const path = formatRoute(route);
  return location.protocol.startsWith('http') ? `${location.origin}${path}` : `berth:/${path}`;
}

import type { RequestName } from '../../shared/contract';

export const EVENT_CHANNEL = 'berth:event';

export function requestChannel(name: RequestName): string {
  return `berth:${name}`;
}

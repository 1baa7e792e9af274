/** Display formatting shared by every view. Pure functions, no React. */

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Sizes in SI units as `docker images` and registries' web UIs show them (1 KB = 1000 B). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** `sha256:0123456789ab` — the 12 hex characters Docker prints, with the algorithm kept. */
export function shortDigest(digest: string): string {
  const [algorithm, encoded] = digest.split(':');
  return encoded ? `${algorithm}:${encoded.slice(0, 12)}` : digest.slice(0, 19);
}

const RELATIVE_STEPS: [limitSeconds: number, unitSeconds: number, unit: Intl.RelativeTimeFormatUnit][] = [
  [60, 1, 'second'],
  [3600, 60, 'minute'],
  [86_400, 3600, 'hour'],
  [86_400 * 30, 86_400, 'day'],
  [86_400 * 365, 86_400 * 30, 'month'],
  [Infinity, 86_400 * 365, 'year'],
];
const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 days ago"; `now` is a parameter so tests are deterministic. */
export function formatRelative(iso: string | undefined, now: number = Date.now()): string {
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time)) return '—';
  const seconds = (time - now) / 1000;
  const abs = Math.abs(seconds);
  const [, unitSeconds, unit] =
    RELATIVE_STEPS.find(([limit]) => abs < limit) ?? RELATIVE_STEPS[RELATIVE_STEPS.length - 1]!;
  return relativeFormat.format(Math.round(seconds / unitSeconds), unit);
}

/** `2024-05-01 13:04:05 UTC`: unambiguous, sortable, the same on every machine. */
export function formatTimestamp(iso: string | undefined): string {
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time)) return '—';
  return `${new Date(time)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
}

/** `2024-05-01 13:04` in local time: compact enough for a table column, exact enough to compare rows. */
export function formatDateTime(iso: string | undefined): string {
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time)) return '—';
  const d = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

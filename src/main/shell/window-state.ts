import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Bounds;
  maximized: boolean;
}

const MIN = { width: 900, height: 560 };

/** Reads the remembered window state; a missing or damaged file just means defaults. */
export function loadWindowState(file: string): WindowState | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as WindowState;
    const b = value.bounds;
    if ([b.x, b.y, b.width, b.height].every(Number.isFinite)) return { bounds: b, maximized: Boolean(value.maximized) };
  } catch {
    // defaults
  }
  return undefined;
}

export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

/**
 * Keeps a remembered window on a display that still exists (a monitor may have been unplugged), at least
 * the minimum size: otherwise the window would open off-screen.
 */
export function fitToDisplays(bounds: Bounds, workAreas: Bounds[]): Bounds | undefined {
  const visible = workAreas.find(
    (a) =>
      bounds.x < a.x + a.width - 50 &&
      bounds.x + bounds.width > a.x + 50 &&
      bounds.y >= a.y - 10 &&
      bounds.y < a.y + a.height - 50,
  );
  if (!visible) return undefined;
  return {
    x: bounds.x,
    y: bounds.y,
    width: Math.min(Math.max(bounds.width, MIN.width), visible.width),
    height: Math.min(Math.max(bounds.height, MIN.height), visible.height),
  };
}

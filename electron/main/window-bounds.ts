// The window's size and position, remembered between launches in a small JSON file. A saved
// value is used only if it is well-formed and still lands on a display (a monitor may be gone).
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rect {
  maximized: boolean;
}

export const MIN_SIZE = { width: 900, height: 600 } as const;
export const DEFAULT_SIZE = { width: 1400, height: 900 } as const;
/** How much of the window's top edge must be on a display for the user to grab it. */
const VISIBLE_STRIP = { width: 120, height: 40 } as const;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1_000_000;

/** The saved state if it is usable on these displays' work areas; null to fall back to the default. */
export function restoreWindowState(saved: unknown, workAreas: readonly Rect[]): WindowState | null {
  if (typeof saved !== 'object' || saved === null) return null;
  const s = saved as Record<string, unknown>;
  if (!isInt(s.x) || !isInt(s.y) || !isInt(s.width) || !isInt(s.height)) return null;
  if (s.width < MIN_SIZE.width || s.height < MIN_SIZE.height) return null;
  const state: WindowState = { x: s.x, y: s.y, width: s.width, height: s.height, maximized: s.maximized === true };
  const titleBar: Rect = { x: state.x, y: state.y, width: state.width, height: VISIBLE_STRIP.height };
  const onScreen = workAreas.some((area) => {
    const overlap = intersection(titleBar, area);
    return overlap !== null && overlap.width >= Math.min(VISIBLE_STRIP.width, state.width) && overlap.height >= VISIBLE_STRIP.height;
  });
  if (!onScreen) return null;
  // Larger than every display (e.g. saved on a bigger monitor): shrink to the largest work area.
  const largest = workAreas.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  return {
    ...state,
    width: Math.min(state.width, Math.max(largest.width, MIN_SIZE.width)),
    height: Math.min(state.height, Math.max(largest.height, MIN_SIZE.height)),
  };
}

function intersection(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

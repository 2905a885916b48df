import { describe, expect, it } from 'vitest';
import { restoreWindowState } from './window-bounds.ts';

const laptop = { x: 0, y: 0, width: 1920, height: 1080 };
const rightMonitor = { x: 1920, y: 0, width: 2560, height: 1440 };

describe('restoreWindowState', () => {
  it('restores a saved window that is on a display', () => {
    expect(restoreWindowState({ x: 100, y: 50, width: 1200, height: 800, maximized: true }, [laptop])).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
      maximized: true,
    });
    expect(restoreWindowState({ x: 2000, y: 100, width: 1600, height: 1000 }, [laptop, rightMonitor])?.maximized).toBe(false);
  });

  it('falls back to the default when the display it was on is gone', () => {
    expect(restoreWindowState({ x: 2000, y: 100, width: 1600, height: 1000 }, [laptop])).toBeNull();
    // Only a sliver of the title bar would show: not enough to grab it.
    expect(restoreWindowState({ x: 1900, y: 100, width: 1200, height: 800 }, [laptop])).toBeNull();
    expect(restoreWindowState({ x: 100, y: -500, width: 1200, height: 800 }, [laptop])).toBeNull();
  });

  it('shrinks a window larger than every display', () => {
    expect(restoreWindowState({ x: 0, y: 0, width: 2500, height: 1400 }, [laptop])).toMatchObject({ width: 1920, height: 1080 });
  });

  it('refuses malformed or too small values', () => {
    for (const saved of [
      null,
      'x',
      [],
      {},
      { x: '0', y: 0, width: 1200, height: 800 },
      { x: 0.5, y: 0, width: 1200, height: 800 },
      { x: 0, y: 0, width: Number.NaN, height: 800 },
      { x: 0, y: 0, width: 1e12, height: 800 },
      { x: 0, y: 0, width: 200, height: 100 },
    ])
      expect(restoreWindowState(saved, [laptop]), JSON.stringify(saved)).toBeNull();
  });
});

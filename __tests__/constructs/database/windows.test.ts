import { describe, expect, it } from 'vitest';
import { windowSpan, windowsOverlap } from '../../../constructs/database/windows';

describe('windowsOverlap', () => {
  it('finds a daily window that wraps past midnight into the weekly window', () => {
    expect(windowsOverlap('23:30-00:30', 'tue:00:00-tue:01:00')).toBe(true);
  });

  it('finds a weekly window that wraps past Sunday', () => {
    expect(windowsOverlap('00:30-01:00', 'sun:23:00-mon:01:00')).toBe(true);
  });

  it('lets windows touch without overlapping', () => {
    expect(windowsOverlap('02:00-03:00', 'sun:03:00-sun:04:00')).toBe(false);
    expect(windowsOverlap('02:00-03:00', 'sat:23:00-sun:02:00')).toBe(false);
  });
});

describe('windowSpan', () => {
  it('measures a window in minutes, a daily one ending at its start lasting the whole day', () => {
    expect(windowSpan('02:00-02:45', true)).toEqual([120, 45]);
    expect(windowSpan('23:30-00:30', true)).toEqual([1410, 60]);
    expect(windowSpan('02:00-02:00', true)).toEqual([120, 1440]);
    expect(windowSpan('sun:23:00-mon:01:00', false)).toEqual([6 * 1440 + 1380, 120]);
    expect(windowSpan('sun:04:00-sun:04:00', false)).toEqual([6 * 1440 + 240, 0]);
  });

  it('returns undefined for a malformed window', () => {
    expect(windowSpan('2:00-3:00', true)).toBeUndefined();
    expect(windowSpan('sunday:04:00-sun:05:00', false)).toBeUndefined();
  });
});

/**
 * RDS backup and maintenance windows as minutes of the week, done at synth so the config schema
 * can refuse windows RDS would refuse minutes into a deploy (too short, or overlapping).
 */

const HH_MM = '([01]\\d|2[0-3]):([0-5]\\d)';
const DAY = '(mon|tue|wed|thu|fri|sat|sun)';
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEK = 7 * 1440;

/** A daily backup window, UTC: `hh:mm-hh:mm`. */
export const BACKUP_WINDOW = new RegExp(`^${HH_MM}-${HH_MM}$`);
/** A weekly maintenance window, UTC: `ddd:hh:mm-ddd:hh:mm`. */
export const MAINTENANCE_WINDOW = new RegExp(`^${DAY}:${HH_MM}-${DAY}:${HH_MM}$`);

/**
 * A window as [first minute of the week, length in minutes], `undefined` when malformed. A
 * daily window that ends where it starts lasts the whole day; a weekly one, no time at all.
 */
export function windowSpan(window: string, daily: boolean): [number, number] | undefined {
  const t = (daily ? BACKUP_WINDOW : MAINTENANCE_WINDOW).exec(window)?.slice(1);
  if (!t) return undefined;
  const [start, end] = daily
    ? [Number(t[0]) * 60 + Number(t[1]), Number(t[2]) * 60 + Number(t[3])]
    : [0, 3].map((i) => DAYS.indexOf(t[i]) * 1440 + Number(t[i + 1]) * 60 + Number(t[i + 2]));
  const period = daily ? 1440 : WEEK;
  return [start, (end - start + period) % period || (daily ? 1440 : 0)];
}

/** The minutes of the week from `start` on, `length` of them. */
const minutes = (start: number, length: number): number[] =>
  Array.from({ length }, (_, i) => (start + i) % WEEK);

/** Whether the daily backup window and the weekly maintenance window share any minute. */
export function windowsOverlap(backup: string, maintenance: string): boolean {
  const [b, m] = [windowSpan(backup, true), windowSpan(maintenance, false)];
  if (!b || !m) return false;
  const weekly = new Set(minutes(...m));
  return DAYS.some((_, day) => minutes(day * 1440 + b[0], b[1]).some((x) => weekly.has(x)));
}

import { describe, expect, it } from 'vitest';
import { serverParent } from './postgres';

/** File modes by path, as `stat` would give them. */
const modes =
  (table: Record<string, number>) =>
  (path: string): number => {
    const mode = table[path];
    if (mode === undefined) throw new Error(`no mode for ${path}`);
    return mode;
  };

describe('serverParent: where the test server puts its directory', () => {
  it('keeps it in the temporary directory when the postgres user can reach it', () => {
    const mode = modes({ '/': 0o755, '/tmp': 0o1777, '/tmp/run': 0o711, '/tmp/run/w1': 0o711 });
    expect(serverParent(true, '/tmp/run/w1', mode)).toBe('/tmp/run/w1');
  });

  it('moves it to /tmp when a parent is closed to other users (mkdtemp makes 0700 directories)', () => {
    const mode = modes({ '/': 0o755, '/tmp': 0o1777, '/tmp/run': 0o700, '/tmp/run/w1': 0o711 });
    expect(serverParent(true, '/tmp/run/w1', mode)).toBe('/tmp');
  });

  it('keeps it wherever it is when the server runs as the user running the tests', () => {
    expect(serverParent(false, '/tmp/run/w1', modes({}))).toBe('/tmp/run/w1');
  });
});

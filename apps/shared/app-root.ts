import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The directory holding the service's package.json, and so its `migrations/` or `public/`:
 * `apps/<service>` from the sources, `/app` in the image (where dist/ is laid out below it).
 */
export function appRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${from}`);
}

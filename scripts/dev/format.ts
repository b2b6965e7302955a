import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/root';

/**
 * `text` formatted as the repository formats `filepath` (Biome, with biome.json; the same as
 * `npm run format`), for a script that writes a document the format check reads. Rejects with
 * Biome's words when the text does not parse.
 */
export function formatAsRepository(text: string, filepath: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'biome'),
      ['format', `--stdin-file-path=${filepath}`],
      { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done(Buffer.concat(out).toString('utf8'));
      else {
        const said = Buffer.concat([...err, ...out])
          .toString('utf8')
          .trim();
        fail(new Error(`biome could not format ${filepath}:\n${said}`));
      }
    });
    child.stdin.end(text);
  });
}

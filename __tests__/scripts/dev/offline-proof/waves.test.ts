import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOfflineProof } from '../../../../scripts/dev/offline-proof/runner';
import type { SynthesizedStack } from '../../../../scripts/dev/offline-proof/stacks';
import { tempDir } from '../../../helpers/paths';

/**
 * The proof's waves and commands, against a stand-in for `terraform` (a Node.js script that logs
 * each call and answers `terraform test -json` per `-filter`d file): which stacks go in which
 * command, what a downstream file is fed, and how a failure stays with its stack. The real
 * Terraform runs them in plan-offline.test.ts.
 */
function fakeTerraform(dir: string): { binary: string; log: string } {
  const log = join(dir, 'calls.log');
  const binary = join(dir, 'terraform');
  writeFileSync(
    binary,
    `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, cwd: process.cwd() }) + '\\n');
if (args[0] !== 'test') process.exit(0);
if (fs.existsSync(path.join(__dirname, 'fail-all'))) { console.error('Error: Unsupported argument'); process.exit(1); }
let ok = true;
const at = new Date().toISOString();
const say = (m) => console.log(JSON.stringify({ '@timestamp': at, ...m }));
for (const arg of args.filter((a) => a.startsWith('-filter='))) {
  const file = arg.slice('-filter='.length);
  const stack = path.basename(file, '.tftest.hcl');
  say({ type: 'test_file', '@testfile': file, test_file: { path: file, progress: 'starting' } });
  if (stack.endsWith('bad')) {
    ok = false;
    say({ type: 'diagnostic', '@level': 'error', '@testfile': file, diagnostic: { summary: 'Invalid value', detail: stack } });
    say({ type: 'test_file', '@testfile': file, test_file: { path: file, progress: 'complete', status: 'error' } });
    continue;
  }
  say({ type: 'test_state', '@testfile': file, test_state: { outputs: { out: { value: stack + '-value', type: 'string', sensitive: false } }, root_module: {} } });
  say({ type: 'test_file', '@testfile': file, test_file: { path: file, progress: 'complete', status: 'pass' } });
}
process.exit(ok ? 0 : 1);
`,
  );
  chmodSync(binary, 0o755);
  return { binary, log };
}

/** A stack of outputs only (no provider), reading `reads` through a remote state each. */
function stack(name: string, reads: string[] = []): SynthesizedStack {
  return {
    name,
    json: {
      output: { out: { value: name } },
      ...(reads.length > 0
        ? {
            data: {
              terraform_remote_state: Object.fromEntries(
                reads.map((r) => [`rs-${r}`, { backend: 's3', config: { key: r } }]),
              ),
            },
          }
        : {}),
    },
    remoteStates: reads.map((r) => ({ name: `rs-${r}`, upstream: r })),
    dependsOn: reads,
  };
}

const calls = (log: string): { args: string[]; cwd: string }[] =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { args: string[]; cwd: string });

describe('runOfflineProof, wave by wave', () => {
  it('proves each wave in at most `concurrency` commands, feeds a downstream its upstream’s outputs, and keeps a failure with its stack', async () => {
    const dir = tempDir('proof-waves');
    const { binary, log } = fakeTerraform(dir);
    const workDir = join(dir, 'work');
    const results = await runOfflineProof({
      stacks: [stack('fx-c', ['fx-a']), stack('fx-a'), stack('fx-bad'), stack('fx-d', ['fx-bad'])],
      workDir,
      terraformBinary: binary,
      concurrency: 2,
    });

    expect(results.map((r) => [r.stack, r.status])).toEqual([
      ['fx-a', 'passed'],
      ['fx-c', 'passed'],
      ['fx-bad', 'failed'],
      ['fx-d', 'not run'],
    ]);
    const byName = Object.fromEntries(results.map((r) => [r.stack, r]));
    expect(byName['fx-bad']).toMatchObject({ validate: 'passed', apply: 'failed' });
    expect(byName['fx-bad'].output).toContain('Invalid value: fx-bad');
    expect(byName['fx-a'].output).toBe('');
    expect(byName['fx-d'].uncheckedReason).toBe('upstream fx-bad did not pass');

    const proof = join(workDir, '.proof');
    const made = calls(log);
    // One init of the root; wave 1 (a, bad) in two commands; wave 2 (c) in one: d is not run.
    expect(made.filter((c) => c.args[0] === 'init').map((c) => c.cwd)).toEqual([proof]);
    const tests = made.filter((c) => c.args[0] === 'test');
    expect(tests.map((c) => c.cwd)).toEqual([proof, proof, proof]);
    const filters = tests.map((c) => c.args.filter((a) => a.startsWith('-filter=')));
    expect(filters.map((f) => f.length)).toEqual([1, 1, 1]);
    expect(filters.slice(0, 2).flat().sort()).toEqual([
      '-filter=tests/fx-a.tftest.hcl',
      '-filter=tests/fx-bad.tftest.hcl',
    ]);
    expect(filters[2]).toEqual(['-filter=tests/fx-c.tftest.hcl']);
    // The failed stack's own validate, in its working copy.
    expect(made.filter((c) => c.args[0] === 'validate').map((c) => c.cwd)).toEqual([
      join(workDir, 'fx-bad'),
    ]);

    // c applies its working copy as the run's module, fed what a's apply produced.
    const file = readFileSync(join(proof, 'tests', 'fx-c.tftest.hcl'), 'utf8');
    expect(file).toContain('source = "../fx-c"');
    expect(file).toMatch(
      /override_data \{\n {2}target = data\.terraform_remote_state\.rs-fx-a\n {2}values = \{\n {4}"outputs" = \{\n {6}"out" = "fx-a-value"/,
    );
  });

  it('reports the stacks of a command that failed before their files ran as not run, never passed', async () => {
    const dir = tempDir('proof-waves-broken');
    const { binary } = fakeTerraform(dir);
    writeFileSync(join(dir, 'fail-all'), '');
    {
      const results = await runOfflineProof({
        stacks: [stack('fx-a'), stack('fx-b')],
        workDir: join(dir, 'work'),
        terraformBinary: binary,
        concurrency: 1,
      });
      for (const result of results) {
        expect(result).toMatchObject({
          status: 'not run',
          validate: 'passed',
          apply: 'not run',
          uncheckedReason: 'its terraform test command failed before its file ran',
        });
        expect(result.output).toContain('Error: Unsupported argument');
      }
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_SUPPRESSIONS } from '../../../environments/policy-suppressions';
import { describe, expect, it } from 'vitest';
import {
  formatPolicyReport,
  main,
  POLICY_USAGE,
  policyReport,
} from '../../../scripts/dev/policy-report';
import { ROOT } from '../../helpers/paths';
import { runScript } from '../../helpers/process';

// Built once: every stack of both environments, checked.
const report = policyReport();

describe('npm run policy', () => {
  const table = formatPolicyReport(report, false);

  it('has a row per rule with its result in each environment', () => {
    for (const rule of report.rules) {
      expect(table).toContain(`| ${rule.id} | `);
    }
    expect(table).toMatch(/^\| rule \| scanner ids \| checks \| test \| prod \|$/m);
    // The closing line says what was checked and the result.
    expect(table.split('\n').at(-1)).toBe(
      `${report.rules.length} rules checked in test, prod; 0 unsuppressed finding(s).`,
    );
  });

  it('shows suppressions and accepted trade-offs with their reasons', () => {
    expect(table).toMatch(
      /^\| S3-003 \|.*\| suppressed: S3 server access log delivery cannot write to a bucket whose default encryption is SSE-KMS.*\|.*\|$/m,
    );
    expect(table).toMatch(
      /^\| NET-001 \| — \| .* \| suppressed: accepted cost trade-off 'nat-per-az' of a non-production environment \| passed \|$/m,
    );
    expect(table).toMatch(
      /^\| RDS-003 \| CKV_AWS_157 \| .* \| suppressed: accepted cost trade-off 'multi-az-database' of a non-production environment \| passed \|$/m,
    );
  });

  it('exits 0 when nothing fails, printing the table', async () => {
    const result = await runScript('dev/policy-report.ts');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('| EKS-002 | CKV_AWS_39, AVD-AWS-0040 |');
  });
});

describe('npm run policy arguments', () => {
  // In process (each tsx start costs two seconds of the suite's CPU); the process above exits
  // with what main returns.
  const run = (...args: string[]) => {
    const out = { stdout: '', stderr: '' };
    const status = main(args, {
      log: (line) => (out.stdout += `${line}\n`),
      error: (line) => (out.stderr += `${line}\n`),
    });
    return { status, ...out };
  };

  it('refuses an unknown flag in one line naming it and the valid ones, exit 2', () => {
    const result = run('--finding');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'npm run policy: unknown argument "--finding"; valid: --findings, --help\n',
    );
    expect(result.stdout).toBe('');
  });

  it('prints the usage for --help, exit 0', () => {
    const result = run('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${POLICY_USAGE}\n`);
  });
});

describe('docs/security.md', () => {
  it('lists every rule and every suppression', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'security.md'), 'utf8');
    for (const rule of report.rules) {
      expect(
        doc,
        `docs/security.md misses ${rule.id}: regenerate its table with npm run policy`,
      ).toContain(`| ${rule.id} `);
    }
    for (const suppression of POLICY_SUPPRESSIONS) {
      expect(doc).toContain(`\`${suppression.path}\``);
      expect(doc).toContain(suppression.justification);
    }
  });
});

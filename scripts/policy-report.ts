/**
 * `npm run policy [-- --findings]`: every policy rule, what it checks, and its result per
 * environment: passed, suppressed (with the reason) or failed. Builds the stacks in memory; writes
 * nothing. Exits 1 if any rule fails. `--findings` also lists every finding, suppressed ones too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { environments, validateEnvironments } from '../environments';
import { type Finding, formatFinding, type PolicyRule } from '../constructs/policy/engine';
import { checkStack } from '../constructs/policy/policy-aspect';
import { allStacks, buildEnvironment, policyContext } from '../stacks/platform';

export interface PolicyReport {
  readonly rules: readonly PolicyRule[];
  /** Findings by environment name. */
  readonly findings: Readonly<Record<string, readonly Finding[]>>;
}

/** Evaluates every environment's stacks. */
export function policyReport(): PolicyReport {
  validateEnvironments(environments);
  const outdir = mkdtempSync(join(tmpdir(), 'policy-report-'));
  try {
    const app = new App({ outdir });
    const findings: Record<string, Finding[]> = {};
    for (const environment of environments) {
      const stacks = buildEnvironment(app, environment);
      findings[environment.name] = allStacks(stacks).flatMap((stack) =>
        checkStack(stack, policyContext(environment)),
      );
    }
    return { rules: policyContext(environments[0]).rules, findings };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A rule's result in one environment. */
export function resultOf(rule: PolicyRule, findings: readonly Finding[]): string {
  const mine = findings.filter((f) => f.rule.id === rule.id);
  const failed = mine.filter((f) => !f.suppressedBecause);
  if (failed.length > 0) return `FAILED (${failed.length})`;
  if (mine.length > 0) {
    const reasons = [...new Set(mine.map((f) => f.suppressedBecause))];
    return `suppressed: ${reasons.join('; ')}`;
  }
  return 'passed';
}

export function formatPolicyReport(report: PolicyReport, withFindings: boolean): string {
  const envs = Object.keys(report.findings);
  const lines = [
    `| rule | scanner ids | checks | ${envs.join(' | ')} |`,
    `|---|---|---|${envs.map(() => '---|').join('')}`,
  ];
  for (const rule of report.rules) {
    const results = envs.map((env) => resultOf(rule, report.findings[env]));
    lines.push(
      `| ${rule.id} | ${rule.scannerIds.join(', ') || '—'} | ${rule.title} | ${results.join(' | ')} |`,
    );
  }
  const failed = envs.flatMap((env) => report.findings[env].filter((f) => !f.suppressedBecause));
  lines.push('', `${report.rules.length} rules; ${failed.length} unsuppressed finding(s).`);
  if (withFindings || failed.length > 0) {
    for (const env of envs) {
      for (const f of report.findings[env]) {
        if (withFindings || !f.suppressedBecause) {
          lines.push(
            `${f.suppressedBecause ? 'suppressed' : 'FAILED'}: ${formatFinding(f)}${f.suppressedBecause ? ` [${f.suppressedBecause}]` : ''}`,
          );
        }
      }
    }
  }
  return lines.join('\n');
}

if (require.main === module) {
  const report = policyReport();
  console.log(formatPolicyReport(report, process.argv.includes('--findings')));
  const failed = Object.values(report.findings).some((fs) => fs.some((f) => !f.suppressedBecause));
  process.exit(failed ? 1 : 0);
}

import type { StackResult } from './runner';

/** The results as a fixed-width table, then one line per failure with Terraform's words. */
export function formatReport(results: readonly StackResult[], wallSeconds: number): string {
  const header = [
    'stack',
    'status',
    'resources applied',
    'unchecked',
    'validate',
    'apply',
    'terraform s',
  ];
  const rows = results.map((r) => [
    r.stack,
    r.status,
    `${r.resourcesApplied}/${r.resourcesTotal}`,
    r.unchecked > 0 || r.uncheckedReason ? `${r.unchecked} (${r.uncheckedReason})` : '0',
    r.validate,
    r.apply,
    r.seconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];

  const passed = results.filter((r) => r.status === 'passed' || r.status === 'partial').length;
  out.push(
    '',
    `${passed} of ${results.length} stacks proven in ${wallSeconds.toFixed(1)} s wall`,
    // The column is not a share of the wall time: commands run side by side, and the wall also
    // holds the synth, the provider install and the wait for upstream stacks.
    'terraform s: the time Terraform spent on that stack (its test file; its validate after a ' +
      "failure; the first stack of a command also carries the command's read of the provider's " +
      'schema). A command proves several stacks in turn and commands run side by side: the column ' +
      'is no share of the wall time, which also covers the synth and the provider install.',
  );
  const unchecked = results.filter((r) => r.status === 'unchecked');
  if (unchecked.length > 0) {
    out.push(
      `unchecked: nothing in ${unchecked.map((r) => r.stack).join(', ')} could be checked by Terraform here`,
    );
  }
  const partial = results.filter((r) => r.status === 'partial');
  if (partial.length > 0) {
    out.push(
      `partial: the AWS part of ${partial.map((r) => r.stack).join(', ')} passed; the resources counted as unchecked were not checked by Terraform here`,
    );
  }
  for (const r of results.filter((x) => x.status === 'failed' || x.status === 'not run')) {
    out.push('', `${r.stack}: ${r.status}${r.uncheckedReason ? ` (${r.uncheckedReason})` : ''}`);
    if (r.output) out.push(r.output.replace(/^/gm, '  | '));
  }
  return out.join('\n');
}

/**
 * True when no stack failed or was skipped: each passed, fully or in the part that can be
 * checked here, or holds nothing checkable here (reported as unchecked); and at least one passed.
 */
export function allProven(results: readonly StackResult[]): boolean {
  const proven = (r: StackResult): boolean => r.status === 'passed' || r.status === 'partial';
  return results.some(proven) && results.every((r) => proven(r) || r.status === 'unchecked');
}

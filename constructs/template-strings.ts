/**
 * Terraform reads every string of a configuration as a template, in JSON too: `${` interpolates
 * and `%{` opens a directive (`%{if}`, `%{for}`). cdktf writes its references as `${…}` on
 * purpose and escapes a literal `${`, but not `%{`: a chart value such as ExternalDNS's
 * `externaldns-%{record_type}.` reaches Terraform as a directive and no plan of the stack runs
 * (`Invalid template control keyword`). Our stacks use no directive, so every `%{` that is not
 * Terraform's escape `%%{` is a mistake, refused at synth.
 */

/** One string Terraform would read as a template directive. */
export interface TemplateMistake {
  readonly stack: string;
  /** Where in the stack's JSON: `resource.helm_release.x.values[0]`. */
  readonly path: string;
  /** The directive as written, with a little context. */
  readonly excerpt: string;
}

import type { TerraformStack } from 'cdktf';

/** `%{` not preceded by the `%` of the escape `%%{`. */
const DIRECTIVE = /(^|[^%])%\{/;

function excerpt(text: string): string {
  const at = text.search(DIRECTIVE);
  const start = Math.max(0, at - 20);
  const end = Math.min(text.length, at + 40);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/** Every string (and object key) of a synthesized stack that holds an unescaped `%{`. */
export function templateMistakes(stack: string, json: unknown): TemplateMistake[] {
  const found: TemplateMistake[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (DIRECTIVE.test(value)) found.push({ stack, path, excerpt: excerpt(value) });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        // cdktf's own metadata (`//`) is a comment to Terraform.
        if (key === '//') continue;
        const at = path ? `${path}.${key}` : key;
        if (DIRECTIVE.test(key)) found.push({ stack, path: at, excerpt: excerpt(key) });
        walk(item, at);
      }
    }
  };
  walk(json, '');
  return found;
}

/** Thrown by the synth before anything is written. */
export class TemplateStringError extends Error {
  constructor(public readonly mistakes: readonly TemplateMistake[]) {
    super(
      `Terraform would read ${mistakes.length} string${mistakes.length === 1 ? '' : 's'} as a template directive; nothing was synthesized:\n` +
        mistakes
          .map(
            (m) =>
              `  - ${m.stack} ${m.path}: ${JSON.stringify(m.excerpt)} opens a directive with %{. Fix: write %%{ for a literal %{ (Terraform turns it back into %{)`,
          )
          .join('\n'),
    );
    this.name = 'TemplateStringError';
  }
}

/** Throws {@link TemplateStringError} when any of `stacks` holds an unescaped `%{`. */
export function refuseTemplateMistakes(stacks: readonly TerraformStack[]): void {
  const mistakes = stacks.flatMap((stack) => templateMistakes(stack.node.id, stack.toTerraform()));
  if (mistakes.length > 0) throw new TemplateStringError(mistakes);
}

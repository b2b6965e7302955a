import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Testing, TerraformStack } from 'cdktf';
import { describe, expect, inject, it } from 'vitest';
import {
  refuseTemplateMistakes,
  TemplateStringError,
  templateMistakes,
} from '../../constructs/template-strings';
import { readStackJson } from '../helpers/synth';

describe('templateMistakes', () => {
  it('finds every unescaped %{, in values and keys, with where it is', () => {
    const json = {
      resource: {
        helm_release: {
          dns: { values: ['{"txtPrefix": "externaldns-%{record_type}."}'] },
        },
        aws_ssm_parameter: { p: { tags: { '%{if x}': 'y' }, value: '%{for a in b}' } },
      },
    };
    expect(templateMistakes('test-eks-k8s', json)).toEqual([
      {
        stack: 'test-eks-k8s',
        path: 'resource.helm_release.dns.values[0]',
        // 20 characters before it, 40 from it.
        excerpt: '…refix": "externaldns-%{record_type}."}',
      },
      {
        stack: 'test-eks-k8s',
        path: 'resource.aws_ssm_parameter.p.tags.%{if x}',
        excerpt: '%{if x}',
      },
      {
        stack: 'test-eks-k8s',
        path: 'resource.aws_ssm_parameter.p.value',
        excerpt: '%{for a in b}',
      },
    ]);
  });

  it("leaves Terraform's escape, references, a lone % and cdktf's metadata alone", () => {
    const json = {
      '//': { note: '%{not read by Terraform}' },
      resource: {
        x: {
          y: {
            a: 'externaldns-%%{record_type}.',
            b: '${aws_vpc.main.id}',
            c: '100% {sure}',
            d: '%%%%{',
          },
        },
      },
    };
    expect(templateMistakes('s', json)).toEqual([]);
  });
});

describe('refuseTemplateMistakes (run by every synth before anything is written)', () => {
  it('throws naming the stack, the path, the value and the fix', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test-eks-k8s');
    new Release(stack, 'release', {
      name: 'external-dns',
      chart: 'external-dns',
      values: [JSON.stringify({ txtPrefix: 'externaldns-%{record_type}.' })],
    });
    expect(() => refuseTemplateMistakes([stack])).toThrow(TemplateStringError);
    expect(() => refuseTemplateMistakes([stack])).toThrow(
      'Terraform would read 1 string as a template directive; nothing was synthesized:\n' +
        '  - test-eks-k8s resource.helm_release.release.values[0]: "…Prefix\\":\\"externaldns-%{record_type}.\\"}" opens a directive with %{. Fix: write %%{ for a literal %{ (Terraform turns it back into %{)',
    );
  });

  it('passes every stack of the app as synthesized', () => {
    const { outdir } = inject('app');
    const stacks = readdirSync(join(outdir, 'stacks'));
    expect(stacks).toHaveLength(14);
    for (const name of stacks) {
      expect(templateMistakes(name, readStackJson(outdir, name)), name).toEqual([]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { testFile, toHcl, workingCopy } from '../../../../scripts/dev/offline-proof/tftest';

describe('toHcl', () => {
  it('renders lists as lists, objects as objects, and escapes template markers', () => {
    expect(toHcl(['a', 'b'])).toBe('[\n  "a",\n  "b"\n]');
    expect(toHcl({ n: 1, ok: true, none: null })).toBe(
      '{\n  "n" = 1\n  "ok" = true\n  "none" = null\n}',
    );
    expect(toHcl('${var.x} and %{if}')).toBe('"$${var.x} and %%{if}"');
    expect(toHcl([])).toBe('[]');
  });
});

describe('workingCopy', () => {
  it('drops the backend and prevent_destroy, keeping other lifecycle settings', () => {
    const copy = workingCopy({
      terraform: { backend: { s3: { bucket: 'b' } }, required_providers: {} },
      resource: {
        aws_s3_bucket: {
          a: { lifecycle: { prevent_destroy: true } },
          b: { lifecycle: { prevent_destroy: true, ignore_changes: ['tags'] } },
        },
      },
    });
    expect(copy.terraform?.backend).toBeUndefined();
    expect(copy.resource?.aws_s3_bucket.a.lifecycle).toBeUndefined();
    expect(copy.resource?.aws_s3_bucket.b.lifecycle).toEqual({ ignore_changes: ['tags'] });
  });
});

describe('testFile', () => {
  const file = testFile({
    json: {
      resource: { aws_kms_key: { k: {} }, aws_vpc: { v: {} } },
      data: { terraform_remote_state: { 'cross-stack-reference-input-test-network': {} } },
      output: { key_arn: { value: '${aws_kms_key.k.arn}' } },
    },
    upstreamOutputs: {
      'cross-stack-reference-input-test-network': {
        subnet_ids: {
          value: ['subnet-a', 'subnet-b'],
          type: ['tuple', ['string', 'string']],
          sensitive: false,
        },
      },
    },
    region: 'eu-west-1',
    account: '111111111111',
  });

  it('mocks the AWS provider with ARN-shaped values for the types present only', () => {
    expect(file).toContain('mock_provider "aws" {');
    expect(file).toContain('mock_resource "aws_kms_key" {');
    expect(file).toContain(
      '"arn" = "arn:aws:kms:eu-west-1:111111111111:key/0b7e4a2c-5d1f-4e8a-9c3b-2f6d8e1a7b40"',
    );
    expect(file).not.toContain('mock_resource "aws_eks_cluster"');
  });

  it('gives an EKS AMI the description a stack parses, only where there is one; mocks the other providers', () => {
    expect(file).not.toContain('mock_data "aws_ami"');
    const withAmi = testFile({
      json: {
        terraform: { required_providers: { aws: {}, helm: {}, kubernetes: {} } },
        data: { aws_ami: { a: {} } },
      },
      upstreamOutputs: {},
      region: 'eu-west-1',
      account: '111111111111',
    });
    expect(withAmi).toContain('mock_data "aws_ami" {');
    expect(withAmi).toContain('(k8s: 1.35.0, containerd: 1.7.27)');
    expect(withAmi).toContain('mock_provider "helm" {}');
    expect(withAmi).toContain('mock_provider "kubernetes" {}');
  });

  it('overrides each remote state with the upstream outputs, lists kept as lists', () => {
    expect(file).toContain(
      'override_data {\n  target = data.terraform_remote_state.cross-stack-reference-input-test-network\n  values = {\n    "outputs" = {\n      "subnet_ids" = [\n        "subnet-a",\n        "subnet-b"\n      ]\n    }\n  }\n}',
    );
  });

  it('applies once and asserts every output and every resource', () => {
    expect(file).toContain('run "apply" {\n  command = apply');
    expect(file).toContain('condition     = output.key_arn != null');
    expect(file).toContain('condition     = aws_kms_key.k != null');
    expect(file).toContain('condition     = aws_vpc.v != null');
  });
});

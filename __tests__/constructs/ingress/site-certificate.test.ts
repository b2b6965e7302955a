import { TerraformOutput } from 'cdktf';
import { describe, expect, it } from 'vitest';
import {
  EXPIRY_ALARM_DAYS,
  SiteCertificate,
  type SiteCertificateProps,
} from '../../../constructs/ingress/site-certificate';
import { formatFinding } from '../../../constructs/policy/engine';
import { prodFindings } from '../../helpers/policy';
import {
  expectResource,
  onlyResource,
  resourcesOf,
  type SynthJson,
  synthConstruct,
} from '../../helpers/synth';

const props: SiteCertificateProps = {
  domain: 'platform.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  alarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:platform-alarms',
};

const synth = (overrides: Partial<SiteCertificateProps> = {}): SynthJson =>
  synthConstruct((scope) => new SiteCertificate(scope, 'certificate', { ...props, ...overrides }));

describe('SiteCertificate', () => {
  const json = synth();
  const [certificateName] = resourcesOf(json, 'aws_acm_certificate')[0];
  const [recordName, record] = resourcesOf(json, 'aws_route53_record')[0];
  const [validationName] = resourcesOf(json, 'aws_acm_certificate_validation')[0];

  it('requests one DNS-validated certificate for the domain and its wildcard, replaced before destroy', () => {
    expectResource(json, 'aws_acm_certificate', {
      domain_name: 'platform.example.com',
      subject_alternative_names: ['*.platform.example.com'],
      validation_method: 'DNS',
      lifecycle: { create_before_destroy: true },
    });
  });

  it('writes the one validation record the domain and its wildcard share, from the entry of the domain', () => {
    expect(resourcesOf(json, 'aws_route53_record')).toHaveLength(1);
    expect(record.for_each).toBeUndefined();
    expect(record).toMatchObject({
      zone_id: 'Z0123456789ABCDEFGHIJ',
      ttl: 60,
      allow_overwrite: true,
    });
    const options = `aws_acm_certificate.${certificateName}.domain_validation_options`;
    const ofDomain = (attribute: string): string =>
      `\${one([ for key, val in toset(tolist(${options})): val.${attribute} if val.domain_name == "platform.example.com"])}`;
    expect(record.name).toBe(ofDomain('resource_record_name'));
    expect(record.type).toBe(ofDomain('resource_record_type'));
    expect(record.records).toEqual([ofDomain('resource_record_value')]);
  });

  it('waits for validation through that record', () => {
    expectResource(json, 'aws_acm_certificate_validation', {
      certificate_arn: `\${aws_acm_certificate.${certificateName}.arn}`,
      validation_record_fqdns: [`\${aws_route53_record.${recordName}.fqdn}`],
    });
  });

  it('exposes the ARN from the validation, so consumers wait until the certificate is issued', () => {
    const exposed = synthConstruct((scope) => {
      const certificate = new SiteCertificate(scope, 'certificate', props);
      new TerraformOutput(scope, 'certificate_arn', { value: certificate.certificateArn });
    });
    expect(exposed.output?.certificate_arn.value).toBe(
      `\${aws_acm_certificate_validation.${validationName}.certificate_arn}`,
    );
  });

  it(`alarms to the topic when fewer than ${EXPIRY_ALARM_DAYS} days are left, missing data not breaching`, () => {
    expect(onlyResource(json, 'aws_cloudwatch_metric_alarm')).toMatchObject({
      alarm_name: 'platform.example.com-certificate-expiry',
      namespace: 'AWS/CertificateManager',
      metric_name: 'DaysToExpiry',
      dimensions: {
        CertificateArn: `\${aws_acm_certificate_validation.${validationName}.certificate_arn}`,
      },
      statistic: 'Minimum',
      period: 86400,
      evaluation_periods: 1,
      comparison_operator: 'LessThanThreshold',
      threshold: 30,
      treat_missing_data: 'notBreaching',
      alarm_actions: ['arn:aws:sns:eu-west-1:111111111111:platform-alarms'],
      ok_actions: ['arn:aws:sns:eu-west-1:111111111111:platform-alarms'],
    });
  });

  it('notifies no one without a topic', () => {
    const alarm = onlyResource(synth({ alarmTopicArn: undefined }), 'aws_cloudwatch_metric_alarm');
    expect(alarm.alarm_actions).toEqual([]);
    expect(alarm.ok_actions).toEqual([]);
  });

  it('throws when the domain is a wildcard', () => {
    expect(() => synth({ domain: '*.example.com' })).toThrow(
      /domain must be a literal lower-case DNS name without a wildcard or trailing dot.*got '\*\.example\.com'/,
    );
  });

  it('throws when the domain is not a lower-case DNS name', () => {
    for (const domain of ['example.com.', 'Example.com', 'localhost', '', 'a..com', '-a.com']) {
      expect(() => synth({ domain }), domain).toThrow(
        /domain must be a literal lower-case DNS name/,
      );
    }
  });

  it('throws when the hosted zone id is not one', () => {
    expect(() => synth({ hostedZoneId: '/hostedzone/Z0123' })).toThrow(
      /hostedZoneId must be a Route53 hosted zone id.*got '\/hostedzone\/Z0123'/,
    );
  });

  it('passes the policy rules in a prod eks-k8s stack', () => {
    const findings = prodFindings(
      'prod-eks-k8s',
      (stack) => new SiteCertificate(stack, 'certificate', props),
    );
    expect(findings.map(formatFinding)).toEqual([]);
  });
});

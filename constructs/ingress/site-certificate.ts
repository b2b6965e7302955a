import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Fn, type IResolvable, TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';

export interface SiteCertificateProps {
  /**
   * The domain, e.g. `platform.example.com`; the certificate covers it and `*.<domain>`. A
   * literal lower-case name without a trailing dot.
   */
  readonly domain: string;
  /** The Route53 hosted zone that answers for `domain`, where the validation record goes. */
  readonly hostedZoneId: string;
  /**
   * SNS topic the expiry alarm notifies (on alarm and on recovery).
   * @default - the alarm changes state without notifying anyone
   */
  readonly alarmTopicArn?: string;
}

/**
 * Days left at which the expiry alarm fires. ACM renews a DNS-validated certificate from 60 days
 * before expiry, so 30 days left means renewal has been failing for a month.
 */
export const EXPIRY_ALARM_DAYS = 30;

/**
 * A public ACM certificate for `domain` and `*.domain`, validated through DNS in a Route53 zone
 * (ACM renews it for as long as the record stays), replaced before destroy so a listener never
 * holds a deleted certificate, and a CloudWatch alarm when its expiry comes near.
 */
export class SiteCertificate extends Construct {
  /**
   * The ARN of the validated certificate: taken from the validation resource, so a listener
   * that uses it is created only once ACM has issued it.
   */
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: SiteCertificateProps) {
    super(scope, id);
    validate(props);
    const { domain } = props;

    const certificate = new AcmCertificate(this, 'certificate', {
      domainName: domain,
      subjectAlternativeNames: [`*.${domain}`],
      validationMethod: 'DNS',
      lifecycle: { createBeforeDestroy: true },
    });

    // `domain` and `*.domain` are validated by one and the same CNAME, so
    // `domain_validation_options` holds two entries with identical records: one record resource,
    // filled from the entry of `domain`. Unlike a for_each over the options, this needs no key
    // known at plan time, and no two resources own one DNS record (destroying either would
    // delete the record the other still counts on).
    const options = TerraformIterator.fromList(
      certificate.domainValidationOptions as unknown as IResolvable,
    );
    const ofDomain = (attribute: string): string =>
      Token.asString(
        Fn.one(options.forExpressionForList(`val.${attribute} if val.domain_name == "${domain}"`)),
      );
    const record = new Route53Record(this, 'validation-record', {
      zoneId: props.hostedZoneId,
      name: ofDomain('resource_record_name'),
      type: ofDomain('resource_record_type'),
      records: [ofDomain('resource_record_value')],
      ttl: 60,
      // The record may exist already: ACM's CNAME for a name is the same for every certificate
      // of the account, so a replacement certificate (or an earlier one) wrote it before.
      allowOverwrite: true,
    });

    const validation = new AcmCertificateValidation(this, 'validation', {
      certificateArn: certificate.arn,
      validationRecordFqdns: [record.fqdn],
    });
    this.certificateArn = validation.certificateArn;

    new CloudwatchMetricAlarm(this, 'expiry-alarm', {
      alarmName: `${domain}-certificate-expiry`,
      alarmDescription: `The ACM certificate of ${domain} expires in less than ${EXPIRY_ALARM_DAYS} days: managed renewal is failing (is the validation record still in the zone?)`,
      namespace: 'AWS/CertificateManager',
      metricName: 'DaysToExpiry',
      dimensions: { CertificateArn: this.certificateArn },
      // ACM publishes the metric once a day.
      statistic: 'Minimum',
      period: 86_400,
      evaluationPeriods: 1,
      threshold: EXPIRY_ALARM_DAYS,
      comparisonOperator: 'LessThanThreshold',
      // No data is a certificate not yet issued or just replaced, not one about to expire.
      treatMissingData: 'notBreaching',
      alarmActions: props.alarmTopicArn ? [props.alarmTopicArn] : [],
      okActions: props.alarmTopicArn ? [props.alarmTopicArn] : [],
    });
  }
}

function validate(props: SiteCertificateProps): void {
  const at = 'SiteCertificate';
  const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
  if (!new RegExp(`^(${label}\\.)+${label}$`).test(props.domain) || props.domain.length > 253) {
    throw new Error(
      `${at}: domain must be a literal lower-case DNS name without a wildcard or trailing dot (the construct adds '*.<domain>' itself), got '${props.domain}'`,
    );
  }
  if (!Token.isUnresolved(props.hostedZoneId) && !/^Z[A-Z0-9]{1,31}$/.test(props.hostedZoneId)) {
    throw new Error(
      `${at}: hostedZoneId must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (without '/hostedzone/'), got '${props.hostedZoneId}'`,
    );
  }
}

import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { Construct } from 'constructs';
import type { PolicyStatement } from './iam/policy-document';
import { EncryptionKey } from './kms-key';

export interface AlertTopicProps {
  readonly name: string;
  /** The key's alias. @default - the topic's name */
  readonly keyAlias?: string;
  readonly description: string;
  readonly accountId: string;
  /** E-mail addresses subscribed to the topic (each confirms by e-mail). */
  readonly emails: readonly string[];
  /**
   * AWS services that publish to the topic (`cloudwatch.amazonaws.com`): the key lets them
   * encrypt. IAM roles of the account need only their own policy.
   * @default - none
   */
  readonly servicePublishers?: readonly PolicyStatement[];
}

/**
 * Lets CloudWatch alarms publish to a topic encrypted with its key, in the form AWS documents for
 * alarms on an encrypted topic (SNS developer guide, "compatibility with AWS services"): no
 * condition. An aws:SourceAccount condition is not part of it, and CloudWatch is not documented
 * to send that key. Who may publish is the topic's policy (by default, this account only).
 */
export const CLOUDWATCH_ALARMS_PUBLISH: PolicyStatement = {
  Sid: 'AllowCloudWatchAlarmsToPublish',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  Resource: '*',
};

export interface AlertTopic {
  readonly topicArn: string;
  readonly key: EncryptionKey;
}

/**
 * An SNS topic encrypted with its own KMS key, with e-mail subscriptions, created directly in
 * `scope` (ids `topic-key`, `topic`, `email-<i>`) so the constructs that use it keep the resource
 * addresses they had before it was shared.
 */
export function alertTopic(scope: Construct, props: AlertTopicProps): AlertTopic {
  const key = new EncryptionKey(scope, 'topic-key', {
    description: props.description,
    alias: props.keyAlias ?? props.name,
    accountId: props.accountId,
    serviceStatements: props.servicePublishers ?? [],
  });
  const topic = new SnsTopic(scope, 'topic', { name: props.name, kmsMasterKeyId: key.keyArn });
  props.emails.forEach((endpoint, i) => {
    new SnsTopicSubscription(scope, `email-${i}`, {
      topicArn: topic.arn,
      protocol: 'email',
      endpoint,
    });
  });
  return { topicArn: topic.arn, key };
}

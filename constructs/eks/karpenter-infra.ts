import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { policyDocument, type PolicyDocument, toJson } from '../iam/policy-document';
import { NodeRole } from './node-role';
import { PodIdentityRole } from './pod-identity-role';
import { karpenterControllerPolicy } from './policies/karpenter-controller';
import { SERVICE_ACCOUNTS } from './service-accounts';

/** The EventBridge events Karpenter reacts to before AWS takes a node away (its 1.14.1 template's five). */
export const INTERRUPTION_EVENTS: Readonly<Record<string, { source: string; detailType: string }>> =
  {
    'scheduled-change': { source: 'aws.health', detailType: 'AWS Health Event' },
    'spot-interruption': {
      source: 'aws.ec2',
      detailType: 'EC2 Spot Instance Interruption Warning',
    },
    rebalance: { source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
    'instance-state-change': {
      source: 'aws.ec2',
      detailType: 'EC2 Instance State-change Notification',
    },
    'capacity-reservation-interruption': {
      source: 'aws.ec2',
      detailType: 'EC2 Capacity Reservation Instance Interruption Warning',
    },
  };

export interface KarpenterInfraProps {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * Karpenter's AWS side: the role its nodes run as (with an EC2_LINUX access entry so they can
 * join), the interruption queue (SSE, TLS only, fed by EventBridge rules for spot interruptions,
 * rebalance recommendations, instance state changes and scheduled health events), and the
 * controller's Pod Identity role with the project's published policy.
 */
export class KarpenterInfra extends Construct {
  public readonly nodeRole: NodeRole;
  public readonly controllerRole: PodIdentityRole;
  public readonly queueName: string;
  public readonly queueArn: string;
  public readonly queuePolicy: PolicyDocument;

  constructor(scope: Construct, id: string, props: KarpenterInfraProps) {
    super(scope, id);
    const { clusterName } = props;

    this.nodeRole = new NodeRole(this, 'node-role', {
      roleName: `${clusterName}-karpenter-nodes`,
      accountId: props.accountId,
    });
    new EksAccessEntry(this, 'node-access-entry', {
      clusterName,
      principalArn: this.nodeRole.roleArn,
      type: 'EC2_LINUX',
    });

    const queue = new SqsQueue(this, 'interruption-queue', {
      name: `${clusterName}-karpenter`,
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
    });
    this.queueName = queue.name;
    this.queueArn = queue.arn;

    const ruleArns = Object.entries(INTERRUPTION_EVENTS).map(([name, event]) => {
      const rule = new CloudwatchEventRule(this, `${name}-rule`, {
        name: `${clusterName}-karpenter-${name}`,
        description: `Karpenter interruption handling: ${event.detailType}`,
        eventPattern: JSON.stringify({ source: [event.source], 'detail-type': [event.detailType] }),
      });
      new CloudwatchEventTarget(this, `${name}-target`, {
        rule: rule.name,
        targetId: 'KarpenterInterruptionQueue',
        arn: queue.arn,
      });
      return rule.arn;
    });
    this.queuePolicy = policyDocument(
      {
        // EventBridge's documented form: only this stack's rules may send. (Karpenter's own
        // template also grants sqs.amazonaws.com, unconditioned; delivery needs neither that
        // principal nor a grant to any other rule.)
        Sid: 'EventBridgeSendsInterruptions',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queue.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
      },
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: queue.arn,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    );
    new SqsQueuePolicy(this, 'interruption-queue-policy', {
      queueUrl: queue.url,
      policy: toJson(this.queuePolicy),
    });

    this.controllerRole = new PodIdentityRole(this, 'controller', {
      clusterName,
      clusterArn: props.clusterArn,
      accountId: props.accountId,
      roleName: `${clusterName}-karpenter-controller`,
      serviceAccount: SERVICE_ACCOUNTS.karpenter,
      policy: karpenterControllerPolicy({
        clusterName,
        clusterArn: props.clusterArn,
        region: props.region,
        accountId: props.accountId,
        nodeRoleArn: this.nodeRole.roleArn,
        interruptionQueueArn: queue.arn,
      }),
    });
  }
}

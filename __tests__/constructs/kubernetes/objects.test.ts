import { describe, expect, it } from 'vitest';
import { ingressClass } from '../../../constructs/kubernetes/ingress-class';
import { karpenterValues, nodeClass, nodePool } from '../../../constructs/kubernetes/karpenter';
import { serviceNamespace } from '../../../constructs/kubernetes/namespaces';
import { controllerPlacement } from '../../../constructs/kubernetes/placement';
import { type Manifest, validateObject } from '../../helpers/kubernetes';

const classProps = {
  name: 'alb',
  groupName: 'test-shared',
  certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
  webAclArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/x/abc',
  accessLogBucket: 'logs',
  accessLogPrefix: 'test',
  deletionProtection: false,
  tags: { environment: 'test' },
};

describe('controller placement', () => {
  it('gives a disruption budget only to a controller with a replica to spare', () => {
    expect(controllerPlacement(1, { app: 'a' }).podDisruptionBudget).toBeUndefined();
    expect(controllerPlacement(2, { app: 'a' }).podDisruptionBudget).toEqual({ maxUnavailable: 1 });
  });

  it("spreads by zone and node with a selector for the controller's own pods", () => {
    for (const constraint of controllerPlacement(2, { app: 'a' }).topologySpreadConstraints) {
      expect(constraint.labelSelector).toEqual({ matchLabels: { app: 'a' } });
    }
  });

  it("leaves Karpenter's spread selector to its chart, which adds the pods' own", () => {
    const values = karpenterValues({
      clusterName: 'c',
      region: 'eu-west-1',
      interruptionQueueName: 'q',
      replicas: 2,
    });
    expect(values.topologySpreadConstraints[0]).toEqual({
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
    });
  });
});

describe('schemas catch a broken object', () => {
  it('validates the objects as built', () => {
    for (const object of [
      ...serviceNamespace({
        namespace: 'backend',
        quota: { requestsCpu: '4', requestsMemory: '4Gi', limitsMemory: '8Gi', pods: 30 },
      }),
      ...ingressClass(classProps),
      nodeClass({ clusterName: 'c', nodeRoleName: 'r', amiAlias: 'al2023@v20251117' }),
      nodePool({
        name: 'general',
        capacityTypes: ['on-demand'],
        instanceCategories: ['m'],
        zones: ['eu-west-1a'],
        limits: { cpu: '8', memory: '32Gi' },
        expireAfter: '720h',
        consolidateAfter: '1m',
        disruptionBudget: '10%',
      }),
    ]) {
      validateObject(object);
    }
  });

  it('throws on a field the IngressClassParams CRD does not have', () => {
    const [params] = ingressClass(classProps);
    const typo = { ...params, spec: { ...(params as Manifest).spec, wafAclArn: 'x' } };
    expect(() => validateObject(typo)).toThrow(/IngressClassParams alb: .*wafAclArn/s);
  });

  it('throws on a NodePool without the consolidateAfter Karpenter requires', () => {
    const pool = nodePool({
      name: 'general',
      capacityTypes: ['spot'],
      instanceCategories: ['c'],
      zones: ['eu-west-1a'],
      limits: { cpu: '8', memory: '32Gi' },
      expireAfter: '720h',
      consolidateAfter: '1m',
      disruptionBudget: '10%',
    });
    const { consolidateAfter: _dropped, ...disruption } = pool.spec!.disruption!;
    const broken = { ...pool, spec: { ...pool.spec, disruption } };
    expect(() => validateObject(broken)).toThrow(/consolidateAfter/);
  });

  it('throws on a kind nobody gave a schema', () => {
    expect(() =>
      validateObject({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' } }),
    ).toThrow('no schema for example.org/v1/Widget: add its model to SCHEMAS');
  });
});

import { describe, expect, it } from 'vitest';
import { ApiClients } from '../../../constructs/eks/api-clients';
import { onlyResource, synthConstruct } from '../../helpers/synth';

describe('ApiClients', () => {
  const json = synthConstruct(
    (scope) =>
      new ApiClients(scope, 'api-clients', {
        clusterName: 'platform-prod',
        vpcId: 'vpc-1',
        clusterSecurityGroupId: 'sg-cluster',
      }),
  );
  const groupId = expect.stringMatching(
    /^\$\{aws_security_group\.api-clients_security-group_[^.]+\.id\}$/,
  );

  it('is a security group of its own in the VPC, with no inline rules', () => {
    const group = onlyResource(json, 'aws_security_group');
    expect(group).toMatchObject({ name: 'platform-prod-api-clients', vpc_id: 'vpc-1' });
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  it('admits HTTPS to the cluster security group from this group only', () => {
    expect(onlyResource(json, 'aws_vpc_security_group_ingress_rule')).toEqual(
      expect.objectContaining({
        security_group_id: 'sg-cluster',
        referenced_security_group_id: groupId,
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
      }),
    );
    const ingress = onlyResource(json, 'aws_vpc_security_group_ingress_rule');
    expect(ingress.cidr_ipv4).toBeUndefined();
  });

  it('lets its hosts out to the cluster API only', () => {
    expect(onlyResource(json, 'aws_vpc_security_group_egress_rule')).toEqual(
      expect.objectContaining({
        security_group_id: groupId,
        referenced_security_group_id: 'sg-cluster',
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
      }),
    );
  });
});

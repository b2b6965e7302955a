import { describe, expect, it } from 'vitest';
import { amiRelease, SystemNodeGroup } from '../../../constructs/eks/system-node-group';
import { onlyResource, resourcesOf, synthConstruct } from '../../helpers/synth';

describe('SystemNodeGroup', () => {
  const json = synthConstruct(
    (scope) =>
      new SystemNodeGroup(scope, 'system', {
        clusterName: 'platform-prod',
        accountId: '222222222222',
        subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
        instanceTypes: ['m7i.large'],
        amiType: 'AL2023_x86_64_STANDARD',
        minSize: 3,
        maxSize: 6,
        desiredSize: 3,
        diskSizeGiB: 50,
        kubernetesVersion: '${aws_eks_cluster.cluster.version}',
        configuredKubernetesVersion: '1.35',
        amiRelease: 'v20260903',
      }),
  );
  const group = onlyResource(json, 'aws_eks_node_group');
  const template = onlyResource(json, 'aws_launch_template');

  it('spreads over every given subnet with the configured sizes and AMI', () => {
    expect(group).toMatchObject({
      subnet_ids: ['subnet-a', 'subnet-b', 'subnet-c'],
      ami_type: 'AL2023_x86_64_STANDARD',
      capacity_type: 'ON_DEMAND',
      instance_types: ['m7i.large'],
      scaling_config: { min_size: 3, max_size: 6, desired_size: 3 },
    });
  });

  it('is replaced create-before-destroy under a name prefix, and leaves the desired size to the cluster', () => {
    expect(group.node_group_name_prefix).toBe('system-');
    expect(group.node_group_name).toBeUndefined();
    expect(group.lifecycle).toEqual({
      ignore_changes: ['scaling_config[0].desired_size'],
      create_before_destroy: true,
    });
  });

  it('keeps application pods off with a CriticalAddonsOnly taint and a label', () => {
    expect(group.taint).toEqual([
      { key: 'CriticalAddonsOnly', value: 'true', effect: 'NO_SCHEDULE' },
    ]);
    expect(group.labels).toEqual({ 'platform.acme.io/node-pool': 'system' });
  });

  it("follows the cluster's version and pins the AMI release, read for that version from the AMI itself", () => {
    // Raising the cluster's version upgrades the nodes after the control plane; a new release
    // date rolls them to that AMI.
    expect(group.version).toBe('${aws_eks_cluster.cluster.version}');
    const data = json.data as Record<string, Record<string, Record<string, unknown>>>;
    const [parameterName, parameter] = Object.entries(data.aws_ssm_parameter)[0]!;
    expect(parameter.name).toBe(
      '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.35-v20260903/image_id',
    );
    const [amiName, ami] = Object.entries(data.aws_ami)[0]!;
    expect(ami).toMatchObject({
      owners: ['amazon'],
      filter: [
        {
          name: 'image-id',
          values: [`\${data.aws_ssm_parameter.${parameterName}.insecure_value}`],
        },
      ],
    });
    // `<Kubernetes patch>-<date>`: the form EKS's release versions take (1.35.3-20260903).
    expect(group.release_version).toBe(
      `\${join("-", [element(regex("k8s: ([0-9]+[.][0-9]+[.][0-9]+)", data.aws_ami.${amiName}.description), 0), "20260903"])}`,
    );
  });

  it('reads the release of an AL2023 alias, and refuses anything else', () => {
    expect(amiRelease('al2023@v20260903')).toBe('v20260903');
    expect(() => amiRelease('al2023@latest')).toThrow(
      'al2023@latest is not an AL2023 release alias al2023@vYYYYMMDD',
    );
  });

  it('requires IMDSv2 with a hop limit of 1 (no pod reaches the node role) and gives an encrypted gp3 root volume', () => {
    expect(template.metadata_options).toMatchObject({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
    });
    expect(template.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: {
          volume_size: 50,
          volume_type: 'gp3',
          encrypted: 'true',
          delete_on_termination: 'true',
        },
      },
    ]);
    expect(String((group.launch_template as Record<string, unknown>).id)).toMatch(
      /aws_launch_template\./,
    );
  });

  it('allows no SSH: no remote access, no key pair', () => {
    expect(group.remote_access).toBeUndefined();
    expect(template.key_name).toBeUndefined();
  });

  it('runs nodes with the worker, CNI, ECR pull and SSM policies only', () => {
    const policies = resourcesOf(json, 'aws_iam_role_policy_attachment').map(
      ([, a]) => a.policy_arn,
    );
    expect(policies.sort()).toEqual([
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
  });
});

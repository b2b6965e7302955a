import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';

export interface ClusterAccess {
  /** The API endpoint, its CA (base64, as EKS returns it) and the cluster's name: eks-infra's outputs. */
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly clusterName: string;
  readonly region: string;
}

/**
 * The Helm and Kubernetes providers of a stack that works in the cluster. They authenticate
 * with a token from `aws eks get-token` at every plan and apply, never one read by a data source
 * and frozen into state; the machine that deploys needs the AWS CLI and a role with cluster access.
 */
export function clusterProviders(scope: Construct, access: ClusterAccess): void {
  const cluster = {
    host: access.endpoint,
    clusterCaCertificate: Fn.base64decode(access.certificateAuthorityData),
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', access.clusterName, '--region', access.region],
    },
  };
  new KubernetesProvider(scope, 'kubernetes', { ...cluster, exec: [cluster.exec] });
  // Without the `manifest` experiment (docs/eks-k8s.md, drift in the cluster): in helm 3.1.1 it
  // only copies the release's live objects into the computed `resources` map, Secrets' data
  // included, which `terraform plan -detailed-exitcode` (the drift check) does not count.
  new HelmProvider(scope, 'helm', { kubernetes: cluster });
}

import type { ServiceAccountRef } from './pod-identity-role';

/**
 * The service accounts the eks-infra roles are bound to. eks-k8s installs each controller with
 * exactly this namespace and name: a mismatch leaves the controller without AWS credentials.
 */
export const SERVICE_ACCOUNTS = {
  ebsCsiController: { namespace: 'kube-system', name: 'ebs-csi-controller-sa' },
  loadBalancerController: { namespace: 'kube-system', name: 'aws-load-balancer-controller' },
  karpenter: { namespace: 'kube-system', name: 'karpenter' },
  externalSecrets: { namespace: 'external-secrets', name: 'external-secrets' },
  logShipping: { namespace: 'logging', name: 'fluent-bit' },
  externalDns: { namespace: 'external-dns', name: 'external-dns' },
  alertmanager: { namespace: 'monitoring', name: 'alertmanager' },
} as const satisfies Record<string, ServiceAccountRef>;

import { App, Aspects } from 'cdktf';
import type { Construct } from 'constructs';
import { EKS_STANDARD_SUPPORT } from '../constructs/eks/platform-cluster';
import { PolicyViolationError } from '../constructs/policy/engine';
import { refuseTemplateMistakes } from '../constructs/template-strings';
import { checkStack, PolicyAspect, type PolicyContext } from '../constructs/policy/policy-aspect';
import { allRules } from '../constructs/policy/rules';
import { POLICY_SUPPRESSIONS } from '../environments/policy-suppressions';
import {
  ConfigValidationError,
  isProduction,
  type EnvironmentConfig,
  selectEnvironments,
  validateEnvironments,
} from '../environments';
import { EksInfraStack } from './eks-infra-stack';
import type { PlatformStack } from './platform-stack';
import { EksK8sStack } from './eks-k8s-stack';
import { NetworkStack } from './network-stack';
import { RdsStack } from './rds-stack';
import { type ServiceName, ServiceStack } from './service-stack';
import { SERVICES } from '../environments/services';
import { TfstateStack } from './tfstate-stack';

/** The stacks of one environment, for tests and for the stacks that come next. */
export interface EnvironmentStacks {
  readonly tfstate: TfstateStack;
  readonly network: NetworkStack;
  readonly eksInfra: EksInfraStack;
  readonly eksK8s: EksK8sStack;
  readonly rds: RdsStack;
  /** One stack per service, `<env>-service-<name>`. */
  readonly services: Readonly<Record<string, ServiceStack>>;
}

export interface BuildEnvironmentOptions {
  /**
   * Keep the tfstate stack's state in a local file at this path instead of the S3 bucket it
   * creates: the first step of the bootstrap.
   * @default - S3, like every other stack
   */
  readonly tfstateLocalStatePath?: string;
}

/** The policy rules, accepted trade-offs and suppressions that apply to an environment. */
export function policyContext(environment: EnvironmentConfig): PolicyContext {
  return {
    production: isProduction(environment.name),
    acceptedTradeoffs: environment.policy.acceptedTradeoffs,
    rules: allRules({ supportedKubernetesVersions: Object.keys(EKS_STANDARD_SUPPORT) }),
    suppressions: POLICY_SUPPRESSIONS,
  };
}

/**
 * Creates every stack of one environment, in dependency order, each guarded by the policy. Expects a config that
 * `validateEnvironments` has accepted.
 */
export function buildEnvironment(
  scope: Construct,
  environment: EnvironmentConfig,
  options: BuildEnvironmentOptions = {},
): EnvironmentStacks {
  const tfstate = new TfstateStack(scope, 'tfstate', {
    environment,
    ...(options.tfstateLocalStatePath
      ? { stateBackend: { kind: 'local', path: options.tfstateLocalStatePath } }
      : {}),
  });
  const network = new NetworkStack(scope, 'network', { environment });
  const eksInfra = new EksInfraStack(scope, 'eks-infra', {
    environment,
    network: network.network,
    tfstate,
  });
  const rds = new RdsStack(scope, 'rds', {
    environment,
    network: network.network,
    nodeSecurityGroupId: eksInfra.nodeSecurityGroupId,
  });
  const eksK8s = new EksK8sStack(scope, 'eks-k8s', {
    environment,
    network: network.network,
    eksInfra,
    tfstate,
  });
  const services = Object.fromEntries(
    (Object.keys(SERVICES) as ServiceName[]).map((service) => [
      service,
      new ServiceStack(scope, `service-${service}`, {
        environment,
        service,
        network: network.network,
        eksInfra,
        eksK8s,
        ...(SERVICES[service].database ? { rds } : {}),
      }),
    ]),
  );
  const stacks = { tfstate, network, eksInfra, eksK8s, rds, services };
  const aspect = new PolicyAspect(policyContext(environment));
  for (const stack of allStacks(stacks)) {
    Aspects.of(stack).add(aspect);
  }
  return stacks;
}

/** Every stack of an environment, the service stacks included. */
export function allStacks(stacks: EnvironmentStacks): PlatformStack[] {
  const { services, ...platform } = stacks;
  return [...Object.values(platform), ...Object.values(services)];
}

export interface SynthesizePlatformOptions {
  /** Synthesize this environment only. @default - all */
  readonly environmentName?: string;
  /** See {@link BuildEnvironmentOptions.tfstateLocalStatePath}; needs `environmentName`. */
  readonly tfstateLocalStatePath?: string;
  /** @default - CDKTF's default (`CDKTF_OUTDIR` or `cdktf.out`) */
  readonly outdir?: string;
}

/**
 * The whole app: validates every environment (throwing {@link ConfigValidationError} before
 * anything is written), then builds and synthesizes the selected environments' stacks.
 */
export function synthesizePlatform(
  all: readonly EnvironmentConfig[],
  options: SynthesizePlatformOptions = {},
): App {
  validateEnvironments(all);
  const selected = selectEnvironments(all, options.environmentName);
  if (options.tfstateLocalStatePath && selected.length !== 1) {
    throw new ConfigValidationError([
      {
        path: 'PLATFORM_BOOTSTRAP_LOCAL_STATE',
        value: options.tfstateLocalStatePath,
        problem: 'applies to one environment only, but PLATFORM_ENV is not set',
        fix: 'run `npm run bootstrap -- <env>` rather than setting it by hand',
      },
    ]);
  }
  // Only now, with a valid config, is the output directory created. Validations run below, for
  // every stack before any is written; the App skips them during synth, where the policy would
  // otherwise run a second time per stack (through PolicyAspect) at about 100 ms each.
  const app = new App({
    skipValidation: true,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const built = selected.map((environment) => ({
    environment,
    stacks: buildEnvironment(
      app,
      environment,
      options.tfstateLocalStatePath ? { tfstateLocalStatePath: options.tfstateLocalStatePath } : {},
    ),
  }));
  // Check every stack before writing any, so a violation leaves no partial output: strings
  // Terraform would read as a template directive, then the policy.
  refuseTemplateMistakes(built.flatMap(({ stacks }) => allStacks(stacks)));
  const findings = built.flatMap(({ environment, stacks }) => {
    const context = policyContext(environment);
    return allStacks(stacks).flatMap((stack) =>
      checkStack(stack, context).filter((f) => !f.suppressedBecause),
    );
  });
  if (findings.length > 0) {
    throw new PolicyViolationError(findings);
  }
  // The constructs' own validations (cdktf's provider checks among them).
  built.forEach(({ stacks }) => allStacks(stacks).forEach((stack) => stack.runAllValidations()));
  app.synth();
  return app;
}

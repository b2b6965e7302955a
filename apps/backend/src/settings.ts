/**
 * The backend's settings, read from the environment once at start-up. The service stack fills
 * these (the database endpoint from the rds stack; on AWS the backend logs in with an IAM auth
 * token, elsewhere with a password). A bad value stops the process with one line per problem,
 * naming the variable, the value and the fix.
 */
import { z } from 'zod';
import { commonSettings, drainBeforeTimeout, parseSettings } from '../../shared/settings';

const fields = z.object({
  ...commonSettings,
  DATABASE_HOST: z.string().min(1, 'must name the database host (the rds stack endpoint)'),
  DATABASE_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  DATABASE_NAME: z.string().min(1, 'must name the database'),
  DATABASE_USER: z.string().min(1, "must name the backend's own database role"),
  /**
   * How the backend logs in: `password` (`DATABASE_PASSWORD`: a local database, the tests) or
   * `iam`, RDS IAM database authentication: each new connection's password is an auth token
   * signed with the pod's AWS credentials (EKS Pod Identity), valid 15 minutes.
   */
  DATABASE_AUTH: z
    .enum(['password', 'iam'], 'must be password or iam (RDS IAM database authentication)')
    .default('password'),
  /** Required with `DATABASE_AUTH=password`, refused with `iam` (`oneWayToLogIn`). */
  DATABASE_PASSWORD: z.string().min(1, 'must be set (from the Kubernetes Secret)').optional(),
  /** The database's region, which IAM auth tokens are signed for; required with `iam`. */
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as eu-west-1')
    .optional(),
  /** The backend's own schema: its migrations and queries stay inside it. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase PostgreSQL identifier')
    .default('cart'),
  /**
   * `verify-full` checks the server's certificate against `DATABASE_CA_FILE` and its name
   * against the host (RDS's CA bundle in the image). `disable` is for a local database only.
   */
  DATABASE_SSLMODE: z.enum(['verify-full', 'disable']).default('verify-full'),
  DATABASE_CA_FILE: z.string().optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
});

/**
 * Each way to log in has what it needs and nothing of the other: a password with `password`;
 * with `iam` a region to sign for, TLS (RDS refuses IAM authentication without it), and no
 * password: two ways to log in is a mistake, and the pod would not say which one it used.
 */
function oneWayToLogIn(s: z.infer<typeof fields>, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof typeof s, message: string) =>
    ctx.addIssue({ code: 'custom', path: [variable], message });
  if (s.DATABASE_AUTH === 'password') {
    if (s.DATABASE_PASSWORD === undefined) {
      problem(
        'DATABASE_PASSWORD',
        'must be set (from the Kubernetes Secret) when DATABASE_AUTH is password, or set DATABASE_AUTH=iam on RDS',
      );
    }
    return;
  }
  if (s.DATABASE_PASSWORD !== undefined) {
    problem(
      'DATABASE_PASSWORD',
      'must not be set when DATABASE_AUTH is iam (the backend logs in with an IAM auth token): remove it',
    );
  }
  if (s.AWS_REGION === undefined) {
    problem('AWS_REGION', "must name the database's region when DATABASE_AUTH is iam");
  }
  if (s.DATABASE_SSLMODE !== 'verify-full') {
    problem(
      'DATABASE_SSLMODE',
      'must be verify-full when DATABASE_AUTH is iam (RDS refuses IAM authentication without TLS)',
    );
  }
}

const schema = drainBeforeTimeout(
  fields
    .refine((s) => s.DATABASE_SSLMODE === 'disable' || s.DATABASE_CA_FILE, {
      path: ['DATABASE_CA_FILE'],
      message: 'must name the CA bundle when DATABASE_SSLMODE is verify-full',
    })
    .superRefine(oneWayToLogIn),
);

export type Settings = z.infer<typeof schema>;

export const readSettings = (env: NodeJS.ProcessEnv): Settings =>
  parseSettings(schema, env, 'backend');

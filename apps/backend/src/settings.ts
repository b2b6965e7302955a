/**
 * The backend's settings, read from the environment once at start-up. The service stack fills
 * these (the database endpoint from the rds stack, the password from a Kubernetes Secret that
 * External Secrets syncs from Secrets Manager). A bad value stops the process with one line per
 * problem, naming the variable, the value and the fix.
 */
import { z } from 'zod';

const seconds = (fallback: number, max: number) =>
  z.coerce.number().int().min(0).max(max, `must be at most ${max} seconds`).default(fallback);

const schema = z
  .object({
    /** Port of the HTTP server (the container port the service stack configures). */
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    DATABASE_HOST: z.string().min(1, 'must name the database host (the rds stack endpoint)'),
    DATABASE_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
    DATABASE_NAME: z.string().min(1, 'must name the database'),
    DATABASE_USER: z.string().min(1, "must name the backend's own database role"),
    DATABASE_PASSWORD: z.string().min(1, 'must be set (from the Kubernetes Secret)'),
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
    /** Seconds `/readyz` fails before the listener closes, so load balancers stop sending. */
    SHUTDOWN_DRAIN_SECONDS: seconds(5, 60),
    /** Hard limit of a shutdown; stays below the pod's termination grace period (30 s). */
    SHUTDOWN_TIMEOUT_SECONDS: seconds(25, 300),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .refine((s) => s.DATABASE_SSLMODE === 'disable' || s.DATABASE_CA_FILE, {
    path: ['DATABASE_CA_FILE'],
    message: 'must name the CA bundle when DATABASE_SSLMODE is verify-full',
  })
  .refine((s) => s.SHUTDOWN_DRAIN_SECONDS < s.SHUTDOWN_TIMEOUT_SECONDS, {
    path: ['SHUTDOWN_DRAIN_SECONDS'],
    message: 'must be shorter than SHUTDOWN_TIMEOUT_SECONDS',
  });

export type Settings = z.infer<typeof schema>;

/** Parses the settings, or throws one error listing every bad variable with its value. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = /PASSWORD/.test(name) ? '(hidden)' : JSON.stringify(env[name] ?? null);
    return `  - ${name} ${issue.message}, got ${value}`;
  });
  throw new Error(`invalid settings; the backend did not start:\n${lines.join('\n')}`);
}

/**
 * The backend's settings, read from the environment once at start-up. The service stack fills
 * these (the database endpoint from the rds stack, the password from a Kubernetes Secret that
 * External Secrets syncs from Secrets Manager). A bad value stops the process with one line per
 * problem, naming the variable, the value and the fix.
 */
import { z } from 'zod';
import { commonSettings, drainBeforeTimeout, parseSettings } from '../../shared/settings';

const schema = drainBeforeTimeout(
  z
    .object({
      ...commonSettings,
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
    })
    .refine((s) => s.DATABASE_SSLMODE === 'disable' || s.DATABASE_CA_FILE, {
      path: ['DATABASE_CA_FILE'],
      message: 'must name the CA bundle when DATABASE_SSLMODE is verify-full',
    }),
);

export type Settings = z.infer<typeof schema>;

export const readSettings = (env: NodeJS.ProcessEnv): Settings =>
  parseSettings(schema, env, 'backend');

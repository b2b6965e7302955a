/**
 * The frontend's settings, read from the environment once at start-up (filled by the service
 * stack). A bad value stops the process with one line per variable.
 */
import { z } from 'zod';

const schema = z
  .object({
    /** Port of the HTTP server (the container port the service stack configures). */
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    /** The backend's base URL inside the cluster; `/api/*` is passed to it. */
    API_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the backend' }),
    /** Seconds `/readyz` fails before the listener closes, so load balancers stop sending. */
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
    /** Hard limit of a shutdown; stays below the pod's termination grace period (30 s). */
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(25),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .refine((s) => s.SHUTDOWN_DRAIN_SECONDS < s.SHUTDOWN_TIMEOUT_SECONDS, {
    path: ['SHUTDOWN_DRAIN_SECONDS'],
    message: 'must be shorter than SHUTDOWN_TIMEOUT_SECONDS',
  });

export type Settings = z.infer<typeof schema>;

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `  - ${name} ${issue.message}, got ${JSON.stringify(env[name] ?? null)}`;
  });
  throw new Error(`invalid settings; the frontend did not start:\n${lines.join('\n')}`);
}

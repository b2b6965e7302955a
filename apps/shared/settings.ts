/**
 * Settings both services read from the environment, and how a bad one is reported: one line per
 * variable, naming it and its value (never a secret's), before anything starts.
 */
import { z } from 'zod';

/** The port, the drain and the log level: the same variables, defaults and limits in both. */
export const commonSettings = {
  /** Port of the HTTP server (the container port the service stack configures). */
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  /** Seconds `/readyz` fails before the listener closes, so load balancers stop sending. */
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
  /** Hard limit of a shutdown; stays below the pod's termination grace period (30 s). */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(25),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
};

type Shutdown = { SHUTDOWN_DRAIN_SECONDS: number; SHUTDOWN_TIMEOUT_SECONDS: number };

/** The schema, with the rule that the drain ends before the shutdown's hard limit. */
export function drainBeforeTimeout<T extends z.ZodType<Shutdown>>(schema: T): T {
  return schema.refine((s) => s.SHUTDOWN_DRAIN_SECONDS < s.SHUTDOWN_TIMEOUT_SECONDS, {
    path: ['SHUTDOWN_DRAIN_SECONDS'],
    message: 'must be shorter than SHUTDOWN_TIMEOUT_SECONDS',
  });
}

/** Parses the settings, or throws one error listing every bad variable with its value. */
export function parseSettings<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv,
  service: string,
): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = /PASSWORD|SECRET|TOKEN/.test(name)
      ? '(hidden)'
      : JSON.stringify(env[name] ?? null);
    return `  - ${name} ${issue.message}, got ${value}`;
  });
  throw new Error(`invalid settings; the ${service} did not start:\n${lines.join('\n')}`);
}

/**
 * `node dist/backend/src/grant-role.js <script.sql>`: applies the backend's database role script
 * (constructs/database/backend-role.ts) as the RDS master user, and exits. The service stack's
 * database-access Job runs it from the backend's image, which carries RDS's CA bundle: the
 * master password crosses only a connection whose certificate and host name were verified
 * (docs/database-access.md). It prints the script's notices, one line each, and on failure one
 * line saying what failed; the exit code is the Job's verdict.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { z } from 'zod';
import { parseSettings } from '../../shared/settings';

const schema = z
  .object({
    DATABASE_HOST: z.string().min(1, 'must name the database host (the rds stack endpoint)'),
    DATABASE_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
    DATABASE_NAME: z.string().min(1, 'must name the database the role is for'),
    DATABASE_USER: z.string().min(1, "must be the master user (the RDS-managed secret's username)"),
    DATABASE_PASSWORD: z.string().min(1, "must be set (the RDS-managed secret's password)"),
    DATABASE_SSLMODE: z.enum(['verify-full', 'disable']).default('verify-full'),
    DATABASE_CA_FILE: z.string().optional(),
  })
  .refine((s) => s.DATABASE_SSLMODE === 'disable' || s.DATABASE_CA_FILE, {
    path: ['DATABASE_CA_FILE'],
    message: 'must name the CA bundle when DATABASE_SSLMODE is verify-full',
  });

export type GrantSettings = z.infer<typeof schema>;

export const readGrantSettings = (env: NodeJS.ProcessEnv): GrantSettings =>
  parseSettings(schema, env, 'grant-role');

/** Runs the script in one round trip (its own BEGIN and COMMIT), returning its notices. */
export async function grantRole(settings: GrantSettings, script: string): Promise<string[]> {
  const notices: string[] = [];
  const client = new Client({
    host: settings.DATABASE_HOST,
    port: settings.DATABASE_PORT,
    database: settings.DATABASE_NAME,
    user: settings.DATABASE_USER,
    password: settings.DATABASE_PASSWORD,
    ssl:
      settings.DATABASE_SSLMODE === 'verify-full'
        ? {
            ca: readFileSync(settings.DATABASE_CA_FILE ?? '', 'utf8'),
            rejectUnauthorized: true,
            servername: settings.DATABASE_HOST,
          }
        : false,
    connectionTimeoutMillis: 10_000,
    application_name: 'platform-backend-grant-role',
  });
  client.on('notice', (notice) => notices.push(notice.message ?? String(notice)));
  await client.connect();
  try {
    await client.query(script);
  } finally {
    await client.end();
  }
  return notices;
}

async function main(argv: string[]): Promise<number> {
  const file = argv[0];
  if (!file) {
    console.error('grant-role: name the script to apply: grant-role.js <script.sql>');
    return 2;
  }
  try {
    const settings = readGrantSettings(process.env);
    for (const notice of await grantRole(settings, readFileSync(file, 'utf8'))) {
      console.log(notice);
    }
    console.log(`grant-role: ${file} applied to ${settings.DATABASE_NAME}`);
    return 0;
  } catch (error) {
    console.error(`grant-role: ${file} was not applied: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

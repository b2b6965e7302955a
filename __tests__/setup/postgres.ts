/**
 * One real PostgreSQL server for the whole run (vitest globalSetup): test files that need one
 * take its address with `inject('postgres')` and make their own database in it.
 */
import type { TestProject } from 'vitest/node';
import { type PostgresConnection, startPostgres } from '../support/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresConnection;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const server = await startPostgres();
  const { stop, ...connection } = server;
  project.provide('postgres', connection);
  return stop;
}

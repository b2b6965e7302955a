/**
 * The backend's entrypoint (the image's CMD): reads its settings, listens (live, not ready),
 * migrates its schema under an advisory lock (waiting up to 300 s for another pod's migration),
 * then is ready; drains on SIGTERM. Listening first keeps a long migration or a wait for the lock
 * within the probes: the startup probe passes, readiness holds traffic back until it is done.
 */
import { createLogger, run } from '../../shared/http-service';
import { createBackend } from './app';
import { createPool } from './db';
import { migrate } from './migrate';
import { readSettings } from './settings';

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const logger = createLogger(settings.LOG_LEVEL, 'backend');
  const pool = createPool(settings);
  pool.on('error', (error) => logger.error({ err: error }, 'idle database client failed'));
  const probePool = createPool(settings, 'probes');
  probePool.on('error', (error) => logger.error({ err: error }, 'idle probe client failed'));
  let migrated = false;
  const service = createBackend({
    pool,
    probePool,
    logger,
    drainSeconds: settings.SHUTDOWN_DRAIN_SECONDS,
    timeoutSeconds: settings.SHUTDOWN_TIMEOUT_SECONDS,
    migrated: () => migrated,
  });
  run(service, settings.PORT, logger);
  const applied = await migrate(pool);
  migrated = true;
  logger.info({ applied }, 'migrated');
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({ level: 'fatal', service: 'backend', msg: (error as Error).message }),
  );
  process.exit(1);
});

/**
 * The backend's entrypoint (the image's CMD): reads its settings, migrates its schema under an
 * advisory lock, serves the cart API, and drains on SIGTERM.
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
  const applied = await migrate(pool);
  logger.info({ applied }, 'migrated');
  const probePool = createPool(settings, 'probes');
  probePool.on('error', (error) => logger.error({ err: error }, 'idle probe client failed'));
  const service = createBackend({
    pool,
    probePool,
    logger,
    drainSeconds: settings.SHUTDOWN_DRAIN_SECONDS,
    timeoutSeconds: settings.SHUTDOWN_TIMEOUT_SECONDS,
  });
  run(service, settings.PORT, logger);
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({ level: 'fatal', service: 'backend', msg: (error as Error).message }),
  );
  process.exit(1);
});

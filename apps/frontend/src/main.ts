/** The frontend's entrypoint (the image's CMD): serves the page and drains on SIGTERM. */
import { createLogger, run } from '../../shared/http-service';
import { createFrontend } from './app';
import { readSettings } from './settings';

try {
  const settings = readSettings(process.env);
  const logger = createLogger(settings.LOG_LEVEL, 'frontend');
  const service = createFrontend({
    apiUrl: settings.API_URL,
    logger,
    drainSeconds: settings.SHUTDOWN_DRAIN_SECONDS,
    timeoutSeconds: settings.SHUTDOWN_TIMEOUT_SECONDS,
  });
  run(service, settings.PORT, logger);
} catch (error) {
  console.error(
    JSON.stringify({ level: 'fatal', service: 'frontend', msg: (error as Error).message }),
  );
  process.exit(1);
}

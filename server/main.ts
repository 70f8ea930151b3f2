import { ConfigError, loadConfig } from './config/load-config';
import { createLogger } from './logger';
import { startLoupe } from './loupe';

/** `npm start -- -config.file=tempo.yaml`: starts Loupe and stops it gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`loupe: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(loaded.config.server.logLevel);
  for (const warning of loaded.warnings) logger.warn(warning);
  let loupe: Awaited<ReturnType<typeof startLoupe>>;
  try {
    loupe = await startLoupe(loaded.config, logger);
  } catch (err) {
    // A setting found wrong only at start (a bucket that does not exist): one line, as for the file.
    if (err instanceof ConfigError) {
      console.error(`loupe: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: flushing blocks');
    loupe.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

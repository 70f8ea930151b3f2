import { type Logger, pino } from 'pino';
import type { LoupeConfig } from './config/types';

/** Loupe's process logger: JSON lines on stdout, at the configured `server.log_level`. */
export function createLogger(level: LoupeConfig['server']['logLevel'] = 'info'): Logger {
  return pino({ level, base: { service: 'loupe' } });
}

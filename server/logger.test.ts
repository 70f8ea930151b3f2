import { createLogger } from './logger';

describe('createLogger', () => {
  it('logs at the configured level and above', () => {
    const logger = createLogger('warn');
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(logger.isLevelEnabled('warn')).toBe(true);
    expect(createLogger().isLevelEnabled('info')).toBe(true);
  });
});

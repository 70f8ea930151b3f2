import { detectLevel, levelFromLine, normaliseLevel } from './log-level';

const sources = (over: Partial<Parameters<typeof detectLevel>[0]>) => ({
  labels: {},
  structuredMetadata: {},
  parsed: {},
  line: '',
  ...over,
});

describe('log levels', () => {
  it('normalises the names loggers use', () => {
    expect(normaliseLevel('ERROR')).toBe('error');
    expect(normaliseLevel('warn')).toBe('warning');
    expect(normaliseLevel('INFO2')).toBe('info');
    expect(normaliseLevel('fatal')).toBe('critical');
    expect(normaliseLevel('dbug')).toBe('debug');
    expect(normaliseLevel('W')).toBe('warning');
    expect(normaliseLevel('verbose')).toBe('unknown');
    expect(normaliseLevel(undefined)).toBe('unknown');
  });

  it('trusts detected_level over a level label, and that over severity_text', () => {
    expect(
      detectLevel(
        sources({
          structuredMetadata: { detected_level: 'warn', severity_text: 'ERROR' },
          labels: { level: 'info' },
        }),
      ),
    ).toBe('warning');
    expect(detectLevel(sources({ labels: { level: 'debug' }, line: 'an error' }))).toBe('debug');
    expect(detectLevel(sources({ structuredMetadata: { severity_text: 'ERROR' } }))).toBe('error');
    expect(detectLevel(sources({ parsed: { level: 'trace' } }))).toBe('trace');
  });

  it('guesses from the line when nothing says', () => {
    expect(levelFromLine('ts=1 level=warn msg="slow query"')).toBe('warning');
    expect(levelFromLine('{"level":"error","msg":"boom"}')).toBe('error');
    expect(levelFromLine('2024-05-14 ERROR payment declined')).toBe('error');
    expect(levelFromLine('[info] started')).toBe('info');
    expect(levelFromLine('interrupted by terror')).toBe('unknown');
    expect(levelFromLine('plain text')).toBe('unknown');
  });
});

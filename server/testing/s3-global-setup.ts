import { type RunningS3, startS3 } from './s3';

/**
 * Vitest global setup: on a whole-suite run, one hold on the test radosgw from start to end, so
 * the dozen test files that use S3 join a running instance (well under a second) instead of
 * each starting and stopping it (~6 s apiece). A run of chosen files (`vitest run server/config`)
 * does not start S3: the files that need it still start it themselves.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const afterRun = process.argv.slice(process.argv.indexOf('run') + 1);
  const filtered = afterRun.some((arg) => !arg.startsWith('-'));
  if (filtered || process.argv.indexOf('run') < 0 || process.env.LOUPE_TEST_S3_GLOBAL === '0')
    return undefined;
  const s3: RunningS3 = await startS3();
  return () => s3.stop();
}

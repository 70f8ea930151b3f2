import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A full collection, so that a heap or RSS figure measures what is kept rather than what the
 * collector has not yet swept. vitest's workers are not started with --expose-gc: the flag is set
 * now and `gc` taken from a fresh context.
 */
v8.setFlagsFromString('--expose-gc');
export const collectGarbage = vm.runInNewContext('gc') as () => void;

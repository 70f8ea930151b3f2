import fc from 'fast-check';
import { anyBytes, bitFlips, expectCleanDecode, fuzzRuns, mutatedSeed } from '../../../fixtures/hostile/fuzz';
import { JaegerDecodeError } from './jaeger-decode-error';

/**
 * What the tests of both Jaeger body decoders (Thrift `Batch`, protobuf `PostSpansRequest`) ask
 * of them alike: a refused body is refused with a `JaegerDecodeError`, and no garbled body gets
 * anything else out of them, or takes long.
 */

type Decoder = (body: Uint8Array) => unknown;

/** The `JaegerDecodeError` that `decode` refuses `body` with; any other answer fails the test. */
export function decodeErrorOf(decode: Decoder, body: Uint8Array): JaegerDecodeError {
  try {
    decode(body);
  } catch (err) {
    if (err instanceof JaegerDecodeError) return err;
    throw err;
  }
  throw new Error(`${decode.name} accepted the body`);
}

/**
 * Bit flips of `seed`, mutations of it and random bytes: `decode` answers each with a batch or a
 * `JaegerDecodeError`, within the fuzz helpers' time bound.
 */
export function expectGarbledBodiesRefusedCleanly(decode: Decoder, seed: Uint8Array): void {
  for (const body of bitFlips(seed, 300, 3)) {
    expectCleanDecode(decode.name, () => decode(body), [JaegerDecodeError]);
  }
  fc.assert(
    fc.property(fc.oneof(mutatedSeed([seed]), anyBytes), (body) => {
      expectCleanDecode(decode.name, () => decode(body), [JaegerDecodeError]);
    }),
    fuzzRuns(500),
  );
}

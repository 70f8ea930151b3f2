import { describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../config/load-config';
import { GRPC_KEEPALIVE_DEFAULTS, keepaliveOptions } from './grpc-limits';

const grpcWith = (lines: string) =>
  parseConfigYaml(
    `distributor:\n  receivers:\n    otlp:\n      protocols:\n        grpc:\n          keepalive:\n${lines}`,
    'test.yaml',
  );

describe('the OTLP/gRPC receiver keepalive', () => {
  it('reads the Collector keepalive.server_parameters keys, defaults for the rest', () => {
    const { config, warnings } = grpcWith(
      '            server_parameters:\n              max_connection_age: 30s\n              max_connection_idle: 0s\n            enforcement_policy:\n              min_time: 10s\n',
    );
    expect(config.receivers.grpc?.keepalive).toEqual({
      ...GRPC_KEEPALIVE_DEFAULTS,
      maxConnectionAgeMs: 30_000,
      maxConnectionIdleMs: 0,
    });
    expect(warnings).toEqual([
      'config key "distributor.receivers.otlp.protocols.grpc.keepalive.enforcement_policy" is accepted but ignored',
    ]);
  });

  it('turns them into grpc-js options, leaving a 0 (infinity in the Collector) out', () => {
    expect(keepaliveOptions({ ...GRPC_KEEPALIVE_DEFAULTS, maxConnectionIdleMs: 0 })).toEqual({
      'grpc.max_connection_age_ms': 600_000,
      'grpc.max_connection_age_grace_ms': 60_000,
      'grpc.keepalive_time_ms': 7_200_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
  });
});

/** Where the e2e and benchmark servers listen; override with LOUPE_E2E_*_PORT. */
export function loupePorts() {
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  return {
    http: port('LOUPE_E2E_HTTP_PORT', 13200),
    otlpHttp: port('LOUPE_E2E_OTLP_HTTP_PORT', 14318),
    otlpGrpc: port('LOUPE_E2E_OTLP_GRPC_PORT', 14317),
  };
}

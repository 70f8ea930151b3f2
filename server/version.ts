/**
 * The version Loupe reports as a Tempo (`/api/status/buildinfo`). Grafana turns features on by
 * Tempo version, so this tracks the Tempo API level Loupe serves.
 */
export const LOUPE_VERSION = '2.6.0-loupe.0.1.0';

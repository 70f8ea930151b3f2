import {
  ConfigError,
  readBool,
  readDuration,
  readPositiveInt,
  readString,
} from '../config-reader/config-values';
import { ignoring, type Section } from '../config-reader/schema-node';
import type { ConfigGetter, ValueReader } from '../config-reader/types';
import { normalisePrefix, S3_DEFAULTS, type S3Options, s3EndpointUrl } from './backend/s3-client';

const S3 = 'storage.trace.s3';

/** Tempo accepts any bucket name and lets S3 refuse it; a `/` or a space is a typo worth stopping on. */
const readBucket: ValueReader<string> = (value, key) => {
  const bucket = readString(value, key);
  if (!/^[^/\s]+$/.test(bucket)) {
    throw new ConfigError(
      `config key "${key}" must be a bucket name (no "/" or spaces), got ${JSON.stringify(bucket)}`,
    );
  }
  return bucket;
};

/** `host:port` as Tempo writes it, or an http(s) URL; '' means AWS's own endpoint, as in Tempo. */
const readS3Endpoint: ValueReader<string> = (value, key) => {
  const endpoint = readString(value, key).trim();
  if (endpoint === '') return endpoint;
  try {
    s3EndpointUrl(endpoint, false);
  } catch {
    throw new ConfigError(
      `config key "${key}" must be host:port (such as s3.us-east-1.amazonaws.com or minio:9000) or an http(s) URL, got ${JSON.stringify(endpoint)}`,
    );
  }
  return endpoint;
};

/** Checked now, so that a prefix no object key could start with stops startup, not the first write. */
const readPrefix: ValueReader<string> = (value, key) => {
  const prefix = readString(value, key);
  try {
    return normalisePrefix(prefix);
  } catch (err) {
    throw new ConfigError(`config key "${key}" is not a usable key prefix: ${(err as Error).message}`);
  }
};

/** Tempo's `part_size`: 0 leaves the choice to the client, as in Tempo; otherwise S3's own limits. */
const readPartSize: ValueReader<number> = (value, key) => {
  const max = 5 * 1024 ** 3;
  if (value === 0) return S3_DEFAULTS.partSizeBytes;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < S3_DEFAULTS.minPartSizeBytes ||
    value > max
  ) {
    throw new ConfigError(
      `config key "${key}" must be a whole number of bytes from 5 MiB (${S3_DEFAULTS.minPartSizeBytes}) to 5 GiB, or 0 for the default, got ${JSON.stringify(value)}`,
    );
  }
  return value;
};

/** `storage.trace.s3`: Tempo's keys. They are checked whatever the backend, and used with `backend: s3`. */
export const S3_SCHEMA: Section = {
  bucket: readBucket,
  endpoint: readS3Endpoint,
  region: readString,
  access_key: readString,
  secret_key: readString,
  session_token: readString,
  insecure: readBool,
  forcepathstyle: readBool,
  prefix: readPrefix,
  part_size: readPartSize,
  hedge_requests_at: readDuration,
  hedge_requests_up_to: readPositiveInt,
  ...ignoring(
    [
      'retry_max_attempts',
      'retry_backoff_initial',
      'retry_backoff_max',
      'signature_v2',
      'enable_dual_stack',
      'bucket_lookup_type',
      'native_aws_auth_enabled',
      'list_blocks_concurrency',
      'disable_multipart_upload',
      'tags',
      'storage_class',
      'metadata',
      'sse',
      'tls_cert_path',
      'tls_key_path',
      'tls_ca_path',
      'tls_server_name',
      'tls_insecure_skip_verify',
      'tls_cipher_suites',
      'tls_min_version',
    ],
    'not used by the S3 backend',
  ),
};

/** The S3 backend's options from `storage.trace.s3`; throws `ConfigError` for what S3 cannot work without. */
export function buildS3Options(get: ConfigGetter): S3Options {
  const bucket = get<string>(`${S3}.bucket`, '');
  if (bucket === '') {
    throw new ConfigError(`config key "${S3}.bucket" is required when storage.trace.backend is s3`);
  }
  const accessKey = get<string>(`${S3}.access_key`, '');
  const secretKey = get<string>(`${S3}.secret_key`, '');
  // One without the other is a half-pasted credential: better refused than silently replaced by
  // whatever the default credential chain finds.
  if ((accessKey === '') !== (secretKey === '')) {
    const missing = accessKey === '' ? 'access_key' : 'secret_key';
    throw new ConfigError(
      `config key "${S3}.${missing}" is required when ${missing === 'access_key' ? 'secret_key' : 'access_key'} is set (or leave both out to use the AWS credential chain)`,
    );
  }
  const endpoint = get<string>(`${S3}.endpoint`, '');
  const sessionToken = get<string>(`${S3}.session_token`, '');
  return {
    bucket,
    endpoint: endpoint === '' ? undefined : endpoint,
    region: get<string>(`${S3}.region`, '') || S3_DEFAULTS.region,
    accessKey: accessKey === '' ? undefined : accessKey,
    secretKey: secretKey === '' ? undefined : secretKey,
    sessionToken: sessionToken === '' ? undefined : sessionToken,
    insecure: get(`${S3}.insecure`, false),
    forcePathStyle: get(`${S3}.forcepathstyle`, false),
    prefix: get(`${S3}.prefix`, ''),
    partSizeBytes: get<number>(`${S3}.part_size`, S3_DEFAULTS.partSizeBytes),
    hedgeAtMs: get<number>(`${S3}.hedge_requests_at`, 0),
    hedgeUpTo: get<number>(`${S3}.hedge_requests_up_to`, 2),
  };
}

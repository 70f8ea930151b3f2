/**
 * The tag names the Collector's Zipkin v2 translator (pkg/translator/zipkin/zipkinv2) treats
 * specially, and the resource attribute names of semantic conventions v1.6.1, the list it reads.
 */
export const TAG = {
  statusCode: 'otel.status_code',
  statusDescription: 'otel.status_description',
  error: 'error',
  spanKind: 'span.kind',
  traceState: 'w3c.tracestate',
  libraryName: 'otel.library.name',
  libraryVersion: 'otel.library.version',
  /** Newer exporters (Java, Ruby) write the scope under these names: read as the library's. */
  scopeName: 'otel.scope.name',
  scopeVersion: 'otel.scope.version',
  /** Names the resource attribute that holds the local service name (default `service.name`). */
  serviceNameSource: 'otlp.service.name.source',
  /** `otlp.link.0`, `otlp.link.1`, … (up to 127): `traceId|spanId|traceState|{attrs}|dropped`. */
  linkPrefix: 'otlp.link.',
} as const;

/** Added (true) to a span whose JSON had no start `timestamp`; it then starts at the epoch. */
export const START_TIME_ABSENT = 'otel.zipkin.absentField.startTime';

/** The resource of a span without `localEndpoint.serviceName`: no attributes at all. */
export const NO_SERVICE_NAME = 'OTLPResourceNoServiceName';

/** `otel.status_code` values; anything else (such as `OK`, `ERROR`) is unset, as in the Collector. */
export const STATUS_CODE_VALUES: ReadonlyMap<string, number> = new Map([
  ['STATUS_CODE_UNSET', 0],
  ['STATUS_CODE_OK', 1],
  ['STATUS_CODE_ERROR', 2],
  ['Unset', 0],
  ['Ok', 1],
  ['Error', 2],
]);

export const ENDPOINT_ATTRIBUTE = {
  hostIp: 'net.host.ip',
  hostPort: 'net.host.port',
  peerService: 'peer.service',
  peerIp: 'net.peer.ip',
  peerPort: 'net.peer.port',
} as const;

const RESOURCE_CONVENTION_NAMES = [
  'cloud.provider',
  'cloud.account.id',
  'cloud.region',
  'cloud.availability_zone',
  'cloud.platform',
  'aws.ecs.container.arn',
  'aws.ecs.cluster.arn',
  'aws.ecs.launchtype',
  'aws.ecs.task.arn',
  'aws.ecs.task.family',
  'aws.ecs.task.revision',
  'aws.eks.cluster.arn',
  'aws.log.group.names',
  'aws.log.group.arns',
  'aws.log.stream.names',
  'aws.log.stream.arns',
  'container.name',
  'container.id',
  'container.runtime',
  'container.image.name',
  'container.image.tag',
  'deployment.environment',
  'device.id',
  'device.model.identifier',
  'device.model.name',
  'faas.name',
  'faas.id',
  'faas.version',
  'faas.instance',
  'faas.max_memory',
  'host.id',
  'host.name',
  'host.type',
  'host.arch',
  'host.image.name',
  'host.image.id',
  'host.image.version',
  'k8s.cluster.name',
  'k8s.node.name',
  'k8s.node.uid',
  'k8s.namespace.name',
  'k8s.pod.uid',
  'k8s.pod.name',
  'k8s.container.name',
  'k8s.replicaset.uid',
  'k8s.replicaset.name',
  'k8s.deployment.uid',
  'k8s.deployment.name',
  'k8s.statefulset.uid',
  'k8s.statefulset.name',
  'k8s.daemonset.uid',
  'k8s.daemonset.name',
  'k8s.job.uid',
  'k8s.job.name',
  'k8s.cronjob.uid',
  'k8s.cronjob.name',
  'os.type',
  'os.description',
  'os.name',
  'os.version',
  'process.pid',
  'process.executable.name',
  'process.executable.path',
  'process.command',
  'process.command_line',
  'process.command_args',
  'process.owner',
  'process.runtime.name',
  'process.runtime.version',
  'process.runtime.description',
  'service.name',
  'service.namespace',
  'service.instance.id',
  'service.version',
  'telemetry.sdk.name',
  'telemetry.sdk.language',
  'telemetry.sdk.version',
  'telemetry.auto.version',
  'webengine.name',
  'webengine.version',
  'webengine.description',
];

/**
 * Tags the first span of each service hands to its resource (the Collector reads the resource
 * from that span alone), and OpenCensus-era process tags.
 */
export const RESOURCE_TAGS: ReadonlySet<string> = new Set([
  ...RESOURCE_CONVENTION_NAMES,
  'opencensus.starttime',
  'opencensus.exporterversion',
  'opencensus.resourcetype',
]);

/** Tags that are never span attributes: resource tags, the scope's, and the service name source. */
export const NON_SPAN_TAGS: ReadonlySet<string> = new Set([
  ...RESOURCE_TAGS,
  TAG.serviceNameSource,
  TAG.libraryName,
  TAG.libraryVersion,
  TAG.scopeName,
  TAG.scopeVersion,
]);

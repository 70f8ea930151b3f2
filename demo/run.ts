import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Child,
  killNow,
  logTail,
  REPO_ROOT,
  startChild,
  stopChild,
  untilHealthy,
} from './launcher/children';
import { prepareDataDir } from './launcher/data-dir';
import { type Load, startLoad } from './launcher/load';
import {
  choosePorts,
  type DemoOptions,
  OptionsError,
  type Ports,
  parseOptions,
  USAGE,
} from './launcher/options';
import { type QueueBroker, startQueueBroker } from './launcher/queue-broker';
import { SERVICES, urlVariable } from './topology';

/**
 * `npm run demo`: Loupe with the demo's config, six instrumented services, the queue stand-in
 * and a load loop, until Ctrl-C (or `--duration`). Stops in order: the load, the services (each
 * flushes its OpenTelemetry SDK), the queue, then Loupe (which decides its waiting traces and
 * writes its blocks). See docs/demo.md.
 */

const STARTUP_TIMEOUT_MS = 90_000;

function banner(ports: Ports, options: DemoOptions): string {
  const services = SERVICES.map((s) => `${s.name} :${ports.endpoints[s.name]}`).join(', ');
  return `
Loupe demo running: open http://localhost:${ports.http}

  Three ways to a trace:
    - the landing page lists recent failed traces: open one for its waterfall
    - Explore > Logs, e.g. {service_name="payments"}: a line's trace_id= is a link to its trace
    - the latency charts on the landing page: a dot (exemplar) opens the trace behind it
  Then try Search: { resource.service.name = "inventory" && span.db.system.name = "sqlite" }
  Tail sampling keeps errors, slow (>1 s) and large (1,000+ spans) traces and 20% of the rest;
  the trace page says which policy kept a trace.

  services: ${services}; queue :${ports.endpoints.queue}
  load: ${options.rate} requests/s (--rate); data and logs: ${options.dataDir}
  Ctrl-C stops everything.
`;
}

async function main(): Promise<number> {
  let options: DemoOptions | undefined;
  let ports: Ports;
  let logDir: string;
  try {
    options = parseOptions(process.argv.slice(2));
    if (!options) {
      console.log(USAGE);
      return 0;
    }
    ports = await choosePorts(options);
    logDir = prepareDataDir(options.dataDir, options.keepData);
  } catch (err) {
    if (err instanceof OptionsError) {
      console.error(`demo: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) {
    console.log(
      `The UI is not built: run \`npm run build\` (npm run demo does) to see it at :${ports.http}.`,
    );
  }

  const children: Child[] = [];
  let broker: QueueBroker | undefined;
  let load: Load | undefined;
  // However the launcher ends, no child outlives it.
  process.on('exit', () => killNow(children));

  let stopping: Promise<number> | undefined;
  let firstSignalAt = 0;
  const stop = (reason: string, code = 0): Promise<number> => {
    stopping ??= (async () => {
      console.log(`\n${reason}: stopping the load, the services, then Loupe…`);
      await load?.stop();
      const services = children.filter((c) => c.name !== 'loupe');
      await Promise.all(services.map((c) => stopChild(c, 10_000)));
      await broker?.close();
      const loupe = children.find((c) => c.name === 'loupe');
      if (loupe) await stopChild(loupe, 30_000);
      if (load)
        console.log(`Sent ${load.stats.sent} requests (${load.stats.failed} answered with an error).`);
      console.log('Demo stopped.');
      return code;
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C (not the copy a wrapper like tsx or npm relays at once) stops at once.
    if (stopping && Date.now() - firstSignalAt > 1_000) {
      killNow(children);
      process.exit(130);
    }
    firstSignalAt ||= Date.now();
    void stop(signal).then((code) => process.exit(code));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const urls = Object.fromEntries(
    Object.entries(ports.endpoints).map(([name, port]) => [
      urlVariable(name as keyof Ports['endpoints']),
      `http://127.0.0.1:${port}`,
    ]),
  );
  const env = {
    ...process.env,
    ...urls,
    LOUPE_DEMO_DATA: options.dataDir,
    LOUPE_DEMO_HTTP_PORT: String(ports.http),
    LOUPE_DEMO_OTLP_PORT: String(ports.otlp),
    LOUPE_DEMO_GRPC_PORT: String(ports.grpc),
  };

  try {
    console.log('Starting Loupe…');
    const loupe = startChild('loupe', {
      script: 'server/main.ts',
      args: ['-config.file=demo/loupe.yaml', '-config.expand-env'],
      env,
      logDir,
    });
    children.push(loupe);
    await untilHealthy(loupe, `http://127.0.0.1:${ports.http}/ready`, STARTUP_TIMEOUT_MS);

    console.log('Starting the services…');
    broker = await startQueueBroker(ports.endpoints.queue);
    const services = SERVICES.map((service) => {
      const child = startChild(service.name, {
        script: `demo/services/${service.name}.ts`,
        imports: ['demo/telemetry/instrument.ts'],
        env: {
          ...env,
          OTEL_SERVICE_NAME: service.name,
          OTEL_RESOURCE_ATTRIBUTES: `service.version=${service.version},deployment.environment.name=demo`,
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.otlp}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        },
        logDir,
      });
      children.push(child);
      return child;
    });
    await Promise.all(
      SERVICES.map((service, i) =>
        untilHealthy(
          services[i],
          `http://127.0.0.1:${ports.endpoints[service.name]}/health`,
          STARTUP_TIMEOUT_MS,
        ),
      ),
    );
  } catch (err) {
    if (!stopping) console.error(`demo: ${(err as Error).message}`);
    return stop('Startup failed', 1);
  }
  if (stopping) return stopping;

  load = startLoad(`http://127.0.0.1:${ports.endpoints.frontend}`, options.rate);
  console.log(banner(ports, options));

  // A child that dies while the demo runs ends the demo, saying why.
  for (const child of children) {
    void child.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.error(
        `demo: ${child.name} exited (${signal ?? code}); the end of ${child.logPath}:\n${logTail(child)}`,
      );
      void stop(`${child.name} stopped`, 1).then((exitCode) => process.exit(exitCode));
    });
  }
  if (options.durationS !== undefined) {
    setTimeout(
      () => void stop(`${options.durationS} s passed`).then((code) => process.exit(code)),
      options.durationS * 1000,
    );
  }
  return new Promise<number>(() => {
    // runs until a signal, the duration or a child's exit calls process.exit
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a fake server received: its request line (`<method> <target>`) and its headers. */
export interface RecordedRequest {
  line: string;
  headers: IncomingHttpHeaders;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface FakeServer {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
}

/**
 * A plain HTTP server on an ephemeral loopback port that records every request and answers each,
 * once its body has been read, with what `handle` returns.
 */
export async function startFake(handle: (req: IncomingMessage) => FakeAnswer): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ line: `${req.method} ${req.url}`, headers: req.headers });
    req.resume();
    req.on('end', () => {
      const answer = handle(req);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port, url: `http://127.0.0.1:${port}`, requests };
}

/** Closes the fake servers that were started (any left undefined by a failed set-up are skipped). */
export async function closeFakes(...fakes: (FakeServer | undefined)[]): Promise<void> {
  for (const fake of fakes) {
    if (fake) await new Promise((resolve) => fake.server.close(resolve));
  }
}

/** Forgets the requests the fake servers have received so far (between tests). */
export function forgetRequests(...fakes: FakeServer[]): void {
  for (const fake of fakes) fake.requests.length = 0;
}

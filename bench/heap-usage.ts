/**
 * Forces full garbage collections in a Node process started with `--inspect=127.0.0.1:<port>`,
 * then prints its V8 heap usage as one JSON line (`Runtime.getHeapUsage`: usedSize, totalSize).
 * The sampling bench uses it to compare what live objects two Loupe processes hold, without the
 * noise of garbage not yet collected. Node 20 needs `--experimental-websocket` for `WebSocket`.
 * Usage: node --experimental-websocket --import tsx bench/heap-usage.ts <inspectorPort>
 */
const port = Number(process.argv[2]);
const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
  webSocketDebuggerUrl: string;
}[];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = reject;
});
const pending = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
ws.onmessage = (event) => {
  const message = JSON.parse(String(event.data));
  pending.get(message.id)?.(message);
};
let nextId = 0;
function call<T>(method: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, (m) =>
      m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result as T),
    );
    ws.send(JSON.stringify({ id, method, params: {} }));
  });
}
for (let i = 0; i < 3; i++) await call('HeapProfiler.collectGarbage');
const usage = await call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
console.log(JSON.stringify({ usedSize: usage.usedSize, totalSize: usage.totalSize }));
ws.close();
process.exit(0);

export {};

import type { SearchableUnflushedSource, UnflushedTrace, UnflushedTraceRef } from '../query/unflushed-source';
import { decodeUnflushedTraces, type UnflushedRefsAnswer } from '../query/unflushed-wire';

export interface RemoteIngestersDeps {
  /** `host:port` of every ingester's HTTP API, asked again on each query. */
  addresses(): Promise<string[]>;
  /**
   * Adds blocks an ingester says it flushed lately to the querier's blocklist (reading their
   * meta.json) before any block is read: a block the blocklist poll has not seen yet is still searched.
   */
  learnBlocks(tenantId: string, blockIds: readonly string[]): Promise<void>;
  /**
   * Brings the blocklist up to date with the bucket, one poll at a time (callers meanwhile wait
   * for the same one): an ingester that restarted or went away no longer names the blocks it
   * flushed before, and they may be newer than the last poll.
   */
  pollBlocks(): Promise<void>;
  /** Each request to an ingester gives up after this long. */
  timeoutMs: number;
  /** With `auth:`, the `Authorization` sent with a tenant's requests (ingesters check it as any client's). */
  authorization?: (tenantId: string) => string | undefined;
  /** An ingester that did not answer: its unflushed data is missing from this answer. */
  onError(address: string, err: unknown): void;
}

/**
 * The unflushed data of every ingester, for a querier that runs apart from them
 * (`-target=querier`). A trace sent through a load balancer may sit on several ingesters: its
 * parts are gathered from all of them, and search judges such a trace as a whole. An ingester
 * that cannot be reached is left out (and reported through `onError`): the rest still answer.
 */
export class RemoteIngesters implements SearchableUnflushedSource {
  /** The process each address answered from last; absent while it does not answer. */
  private readonly instances = new Map<string, string>();

  constructor(private readonly deps: RemoteIngestersDeps) {}

  async unflushedRefs(tenantId: string): Promise<UnflushedTraceRef[]> {
    const answers = await this.askAll(tenantId, async (address) => {
      const response = await this.request(address, tenantId, '/internal/v1/unflushed/refs');
      return (await response.json()) as UnflushedRefsAnswer;
    });
    const refs = new Map<string, UnflushedTraceRef>();
    for (const answer of answers) {
      for (const ref of answer.refs) {
        const held = refs.get(ref.key);
        if (!held) {
          refs.set(ref.key, { ...ref });
          continue;
        }
        // On two ingesters: each holds a part, so neither part can be judged alone.
        held.startMs = Math.min(held.startMs, ref.startMs);
        held.endMs = Math.max(held.endMs, ref.endMs);
        held.spanCount += ref.spanCount;
        held.partlyFlushed = true;
      }
    }
    return [...refs.values()];
  }

  async unflushedTraces(tenantId: string, keys: readonly string[]): Promise<Map<string, UnflushedTrace>> {
    if (keys.length === 0) return new Map();
    const answers = await this.askAll(tenantId, async (address) => {
      const response = await this.request(address, tenantId, '/internal/v1/unflushed/traces', { keys });
      return decodeUnflushedTraces(Buffer.from(await response.arrayBuffer()));
    });
    const traces = new Map<string, UnflushedTrace>();
    for (const answer of answers) {
      for (const [key, trace] of answer.traces) {
        const held = traces.get(key);
        if (!held) traces.set(key, { parts: [...trace.parts], truncated: trace.truncated });
        else {
          held.parts.push(...trace.parts);
          held.truncated ||= trace.truncated;
        }
      }
    }
    return traces;
  }

  /**
   * Every ingester's answer, with the blocks they name as flushed lately learned before it is
   * used. When one restarted or stopped answering since the last question, the bucket is polled
   * first: the blocks it flushed on its way down are read even though it no longer names them.
   */
  private async askAll<T extends { instance: string; blocks: string[] }>(
    tenantId: string,
    ask: (address: string) => Promise<T>,
  ): Promise<T[]> {
    const addresses = await this.deps.addresses();
    const settled = await Promise.allSettled(addresses.map(ask));
    const answers: T[] = [];
    let changed = false;
    settled.forEach((result, i) => {
      const address = addresses[i];
      const known = this.instances.get(address);
      if (result.status === 'fulfilled') {
        answers.push(result.value);
        if (known !== undefined && known !== result.value.instance) changed = true;
        this.instances.set(address, result.value.instance);
      } else {
        this.deps.onError(address, result.reason);
        if (known !== undefined) changed = true;
        this.instances.delete(address);
      }
    });
    // Concurrent questions share one poll: `pollBlocks` runs one at a time.
    if (changed) await this.deps.pollBlocks();
    await this.deps.learnBlocks(
      tenantId,
      answers.flatMap((answer) => answer.blocks),
    );
    return answers;
  }

  private async request(address: string, tenantId: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(`http://${address}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        'x-scope-orgid': tenantId,
        ...authorizationHeader(this.deps.authorization?.(tenantId)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.deps.timeoutMs),
    });
    if (!response.ok) {
      throw new Error(
        `ingester ${address} answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
      );
    }
    return response;
  }
}

function authorizationHeader(value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { authorization: value };
}

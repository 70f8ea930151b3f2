import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { endpointUrl } from '../topology';
import { markFailed } from './mark-failed';

/**
 * A messaging client for the launcher's queue stand-in (launcher/queue-broker.ts), traced the way
 * the messaging semantic conventions describe: a PRODUCER span `send <topic>` whose context
 * travels in the message's headers (W3C traceparent), and per message a CONSUMER span
 * `process <topic>`, child of that context (so the consumer's work shows in the order's trace)
 * and linked to it. The HTTP calls to the broker are the client library's transport, like a
 * Kafka client's TCP: not traced, so polls do not make a trace each.
 */

// Not yet stable in @opentelemetry/semantic-conventions: copied, as its README advises.
const ATTR_MESSAGING_SYSTEM = 'messaging.system';
const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
const SYSTEM = 'loupe-demo-queue';

const tracer = trace.getTracer('loupe-demo-queue', '1.0.0');

export interface Message<T> {
  id: string;
  headers: Record<string, string>;
  payload: T;
}

/** The broker's HTTP API, outside any trace. */
function untraced<T>(work: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), work);
}

/** Publishes `payload` to `topic`; resolves with the message ID once the broker has it. */
export function publish(topic: string, payload: unknown): Promise<string> {
  return tracer.startActiveSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: SYSTEM,
        [ATTR_MESSAGING_OPERATION_NAME]: 'send',
        [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
        [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      },
    },
    async (span) => {
      try {
        const headers: Record<string, string> = {};
        propagation.inject(context.active(), headers);
        const res = await untraced(() =>
          fetch(`${endpointUrl('queue')}/topics/${topic}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ headers, payload }),
          }),
        );
        if (!res.ok) throw new Error(`queue answered ${res.status}`);
        const { id } = (await res.json()) as { id: string };
        span.setAttribute(ATTR_MESSAGING_MESSAGE_ID, id);
        return id;
      } catch (err) {
        markFailed(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

export interface Consumer {
  /** Stops polling and waits for the message being processed, if any. */
  stop(): Promise<void>;
}

/**
 * Polls `topic` for `group` and runs `handle` on each message inside its CONSUMER span. A
 * handler that throws marks the span failed; the message is not redelivered.
 */
export function consume<T>(topic: string, group: string, handle: (payload: T) => Promise<void>): Consumer {
  let running = true;
  let abort = new AbortController();
  const processOne = (message: Message<T>) => {
    const producer = propagation.extract(ROOT_CONTEXT, message.headers);
    const producerSpan = trace.getSpanContext(producer);
    return tracer.startActiveSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        links: producerSpan ? [{ context: producerSpan }] : [],
        attributes: {
          [ATTR_MESSAGING_SYSTEM]: SYSTEM,
          [ATTR_MESSAGING_OPERATION_NAME]: 'process',
          [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
          [ATTR_MESSAGING_DESTINATION_NAME]: topic,
          [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: group,
          [ATTR_MESSAGING_MESSAGE_ID]: message.id,
        },
      },
      producer,
      async (span) => {
        try {
          await handle(message.payload);
        } catch (err) {
          markFailed(span, err);
        } finally {
          span.end();
        }
      },
    );
  };
  const loop = (async () => {
    while (running) {
      try {
        const res = await untraced(() =>
          fetch(`${endpointUrl('queue')}/topics/${topic}?group=${group}&wait_ms=1000&max=10`, {
            signal: abort.signal,
          }),
        );
        const messages = (await res.json()) as Message<T>[];
        for (const message of messages) await processOne(message);
      } catch {
        if (!running) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
        abort = new AbortController();
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      abort.abort();
      await loop;
    },
  };
}

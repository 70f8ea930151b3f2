import { describe, expect, it } from 'vitest';
import { parseTraceQL } from './query';

const fieldsOf = (query: string) => parseTraceQL(query).fields;

describe('query fields', () => {
  it('lists each field the query reads once, in the order it names them', () => {
    expect(
      fieldsOf(
        '{ span.a = 1 && .b != nil && span:duration > 1ms } | by(resource.c) | avg(duration) > 1s | select(span.a, trace:rootService)',
      ),
    ).toEqual({
      refs: [
        { scope: 'span', name: 'a' },
        { scope: 'unscoped', name: 'b' },
        { scope: 'intrinsic', name: 'duration' },
        { scope: 'resource', name: 'c' },
        { scope: 'trace', name: 'rootServiceName' },
      ],
      structural: false,
      events: false,
      links: false,
    });
  });

  it('reads nothing for {}', () => {
    expect(fieldsOf('{}')).toEqual({ refs: [], structural: false, events: false, links: false });
  });

  it('flags structural queries', () => {
    expect(fieldsOf('{ .a = 1 } >> { .b = 2 }').structural).toBe(true);
    expect(fieldsOf('{ } !~ { }').structural).toBe(true);
    expect(fieldsOf('{ span:childCount > 2 }').structural).toBe(true);
    expect(fieldsOf('({ .a = 1 } | { } > { }) && { .b = 1 }').structural).toBe(true);
    expect(fieldsOf('{ .a = 1 } && { .b = 2 } || { .c = 3 }').structural).toBe(false);
  });

  it('flags events and links', () => {
    expect(fieldsOf('{ event:name = "x" }')).toMatchObject({ events: true, links: false });
    expect(fieldsOf('{ event.a = 1 }')).toMatchObject({ events: true, links: false });
    expect(fieldsOf('{ } | select(link:spanID)')).toMatchObject({ events: false, links: true });
    expect(fieldsOf('{ link.x = 1 || event:timeSinceStart > 1ms }')).toMatchObject({
      events: true,
      links: true,
    });
  });
});

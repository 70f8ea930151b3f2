// @vitest-environment node
import { base64ToHex, canonicalTraceId, hexToBase64, idToHex, parseTraceIdInput } from './ids';

describe('trace and span IDs', () => {
  it('converts between base64 (Tempo JSON) and hex', () => {
    const hex = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(hexToBase64(hex)).toBe('S/kvNXezTaajzpKdDg5HNg==');
    expect(base64ToHex('S/kvNXezTaajzpKdDg5HNg==')).toBe(hex);
    expect(idToHex('S/kvNXezTaajzpKdDg5HNg==')).toBe(hex);
    expect(idToHex('AAAAAAAAAAE=')).toBe('0000000000000001');
  });

  it('leaves hex IDs as lowercase hex, even when they would also be valid base64', () => {
    expect(idToHex('00F067AA0BA902B7')).toBe('00f067aa0ba902b7');
    expect(idToHex('4BF92F3577B34DA6A3CE929D0E0E4736')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(idToHex(undefined)).toBe('');
  });

  it('accepts pasted IDs with spaces and quotes, in any case', () => {
    expect(parseTraceIdInput('  "4BF92F35"  ')).toEqual({ ok: true, id: '4bf92f35' });
    expect(parseTraceIdInput("'abc'")).toEqual({ ok: true, id: 'abc' });
    expect(parseTraceIdInput('a'.repeat(32))).toEqual({ ok: true, id: 'a'.repeat(32) });
  });

  it('says what is wrong with an ID the API would refuse', () => {
    const notHex = parseTraceIdInput('xyz-123');
    expect(notHex.ok).toBe(false);
    expect(!notHex.ok && notHex.error).toMatch(/hexadecimal/);
    const tooLong = parseTraceIdInput('a'.repeat(33));
    expect(!tooLong.ok && tooLong.error).toMatch(/at most 32 .* this one has 33/);
    expect(parseTraceIdInput('   ').ok).toBe(false);
  });

  it('pads short IDs as Tempo does', () => {
    expect(canonicalTraceId('ABC')).toBe(`${'0'.repeat(29)}abc`);
  });
});

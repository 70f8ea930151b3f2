import { traceStateValue } from './trace-state';

describe('traceStateValue (Go OpenTelemetry ParseTraceState + Get)', () => {
  it('finds the value under a key, trimming blanks around members', () => {
    expect(traceStateValue('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'congo')).toBe('t61rcWkgMzE');
    expect(traceStateValue(' \tcongo=a b \t, rojo=1', 'congo')).toBe('a b');
    expect(traceStateValue('tenant@vendor=x,,', 'tenant@vendor')).toBe('x');
    expect(traceStateValue('rojo=1', 'congo')).toBe('');
    expect(traceStateValue('', 'congo')).toBe('');
  });

  it('refuses the whole tracestate for one bad member', () => {
    for (const bad of [
      'congo=1,rojo', // no '='
      'congo=1,Rojo=2', // uppercase key
      'congo=1,9rojo=2', // a simple key starts with a letter
      'congo=1,rojo=a=b', // '=' in a value
      'congo=1,rojo=', // empty value
      'congo=1,congo=2', // duplicate
      `congo=1,${'a'.repeat(257)}=2`, // key too long
      `congo=1,rojo=${'v'.repeat(257)}`, // value too long
      'congo=1,t@vendorvendorvend=2', // system id too long
      'congo=é', // not ASCII
    ]) {
      expect([bad, traceStateValue(bad, 'congo')]).toEqual([bad, undefined]);
    }
    const members = Array.from({ length: 32 }, (_, i) => `k${i}=v`);
    expect(traceStateValue(members.join(','), 'k31')).toBe('v');
    expect(traceStateValue([...members, 'k32=v'].join(','), 'k31')).toBeUndefined();
  });
});

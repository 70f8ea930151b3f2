import { matchRoute } from './match-route';

const routes = [{ path: '/' }, { path: '/trace/:traceId' }, { path: '/explore' }, { path: '*' }];

describe('matchRoute', () => {
  it.each([
    ['/', '/', {}],
    ['/trace/4bf92f35', '/trace/:traceId', { traceId: '4bf92f35' }],
    ['/trace/4bf9%20', '/trace/:traceId', { traceId: '4bf9 ' }],
    ['/trace/%E0%A4%A', '/trace/:traceId', { traceId: '%E0%A4%A' }],
    ['/explore', '/explore', {}],
    ['/explore/', '/explore', {}],
    ['/trace', '*', {}],
    ['/trace/a/b', '*', {}],
    ['/nowhere', '*', {}],
  ])('%s → %s', (pathname, path, params) => {
    expect(matchRoute(routes, pathname)).toEqual({ route: { path }, params });
  });

  it('returns undefined when nothing matches', () => {
    expect(matchRoute([{ path: '/trace/:id' }], '/other')).toBeUndefined();
  });
});

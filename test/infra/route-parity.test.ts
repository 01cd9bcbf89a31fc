import { describe, expect, it } from 'vitest';
import { apiFunctions } from '#contracts/functions';
import { routeKey, routes } from '#contracts/routes';
import { matchRoute } from '../../local/gateway';
import { defaultStack } from './support';

/** A concrete request path for a route: each `{name}` becomes a plausible id. */
const examplePath = (path: string) => path.replace(/\{(\w+)\}/g, (_match, name: string) => `${name}-01HZX7`);

describe('route parity: one route table for the cloud API and the local gateway', () => {
  it.each(routes.map((route) => [routeKey(route), route] as const))(
    'the local gateway serves %s with the route of the table',
    (_key, route) => {
      // prepare
      const path = examplePath(route.path);

      // act
      const match = matchRoute(route.method, path);

      // assess
      expect(match).toMatchObject({ route });
    },
  );

  it('every API function serves a route, and each route one function', () => {
    // prepare
    const served = new Set<string>(routes.map((route) => route.handler));

    // act
    const idle = apiFunctions.filter((name) => !served.has(name));

    // assess
    expect(idle).toEqual([]);
    expect([...served].sort()).toEqual([...apiFunctions].sort());
  });

  it('the local gateway serves no route that the table lacks', () => {
    // prepare
    const unknown = [
      ['GET', '/api/admin'],
      ['PUT', '/api/links'],
    ] as const;

    // act
    const matches = unknown.map(([method, path]) => matchRoute(method, path));

    // assess
    expect(matches).toEqual([undefined, 'method']);
  });

  it('the stack serves exactly the routes of the same table', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const stackKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey as string,
    );

    // assess
    expect([...stackKeys].sort()).toEqual(routes.map(routeKey).sort());
  });
});

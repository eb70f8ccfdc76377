import { Clock, type UserRole } from '@sealpost/core';
import { FakeClock } from '@sealpost/core/testing';
import { call, createTenant, startTestApi, type TestApi } from '../testing/test-api';
import { signInKit } from './testing/sign-in-kit';

type Route = `${'GET' | 'POST' | 'PUT' | 'DELETE'} ${string}`;

// One route per kind of power, and who may reach it. "Reach" means the guard lets the
// request through: the answer is anything but 401 or 403 (a 422 for an empty body is fine).
const ACCESS: Record<Route, UserRole[]> = {
  'GET /v1/messages': ['owner', 'admin', 'compliance', 'sender', 'break_glass'],
  'POST /v1/messages': ['owner', 'admin', 'sender', 'break_glass'],
  'GET /v1/message-events': ['owner', 'admin', 'compliance', 'sender', 'break_glass'],
  'GET /v1/contacts': ['owner', 'admin', 'compliance', 'sender', 'break_glass'],
  'POST /v1/contacts': ['owner', 'admin', 'break_glass'],
  'GET /v1/audit/verify': ['owner', 'admin', 'compliance', 'break_glass'],
  'GET /v1/reports/summary.csv': ['owner', 'admin', 'compliance', 'break_glass'],
  'GET /v1/policy': ['owner', 'admin', 'break_glass'],
  'PUT /v1/policy': ['owner', 'admin', 'break_glass'],
  'POST /v1/api-keys': ['owner', 'admin', 'break_glass'],
  'GET /v1/users': ['owner', 'admin', 'break_glass'],
  'POST /v1/webhooks': ['owner', 'admin', 'break_glass'],
  'PUT /v1/organisation/retention': ['owner', 'admin', 'break_glass'],
  'GET /v1/suppressions': ['owner', 'admin', 'compliance', 'sender', 'break_glass'],
  'POST /v1/suppressions': ['owner', 'admin', 'break_glass'],
  'POST /v1/workflows': ['owner', 'admin', 'break_glass'],
  'POST /v1/fhir/connections': ['owner', 'admin', 'break_glass'],
  'GET /v1/fhir/messages/00000000-0000-4000-8000-000000000000/sync': [
    'owner',
    'admin',
    'compliance',
    'sender',
    'break_glass',
  ],
};

const ROLES: UserRole[] = ['owner', 'admin', 'compliance', 'sender', 'break_glass'];

describe('What each role reaches (real app, PostgreSQL)', () => {
  const clock = new FakeClock();
  let api: TestApi;
  const sessions = new Map<UserRole, string>();

  beforeAll(async () => {
    api = await startTestApi({}, (module) => module.overrideProvider(Clock).useValue(clock));
    const tenant = await createTenant(api, ['admin']);
    const kit = signInKit(api, clock, tenant.token);
    for (const role of ROLES) {
      const user = await kit.enrol(role);
      const reason: Record<string, string> =
        role === 'break_glass' ? { breakGlassReason: 'role access test run' } : {};
      sessions.set(role, await kit.sessionOf(user, reason));
    }
  });

  afterAll(async () => {
    await api?.close();
  });

  it.each(ROLES)('lets %s reach exactly its routes', async (role) => {
    const reached: Route[] = [];
    for (const route of Object.keys(ACCESS) as Route[]) {
      const [method, path] = route.split(' ');
      const body = method === 'GET' ? undefined : {};
      const response = await call(api, method, path, { token: sessions.get(role), body });
      expect(response.status).not.toBe(401);
      if (response.status !== 403) {
        reached.push(route);
      }
    }

    const expected = (Object.keys(ACCESS) as Route[]).filter((route) =>
      ACCESS[route].includes(role),
    );
    expect(reached).toEqual(expected);
  });
});

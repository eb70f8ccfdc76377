import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { createTestCa, issueCertificate } from '../test-ca';

/**
 * A loopback stand-in for Microsoft Graph v1.0 and the identity platform's token endpoint,
 * answering with the documented shapes: client credentials (secret or certificate assertion),
 * users/groups delta with @odata.nextLink pages and @odata.deltaLink, 410 resyncRequired on an
 * expired delta token, 429 with Retry-After, subscriptions with the validation handshake,
 * change and lifecycle notifications, and the messages Sealpost reads or creates.
 */
export interface FakeGraphUser {
  id: string;
  mail: string | null;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
}

export interface FakeGraphApp {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  certificatePem?: string;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Change {
  version: number;
  kind: 'users' | 'groups';
  item: Record<string, unknown>;
}

export interface FakeSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  clientState: string;
  expirationDateTime: string;
}

export interface FakeMicrosoftGraph {
  /** https://127.0.0.1:port, for SEALPOST_M365_LOGIN_URL and SEALPOST_M365_GRAPH_URL. */
  origin: string;
  /** The CA to trust (SEALPOST_TLS_CA_FILE). */
  caPem: string;
  requests: SeenRequest[];
  tokensIssued: number;
  subscriptions: Map<string, FakeSubscription>;
  createdInboxMessages: { userId: string; body: Record<string, unknown> }[];
  register(app: FakeGraphApp): void;
  putUser(user: FakeGraphUser): void;
  removeUser(id: string): void;
  putGroup(id: string, displayName: string, memberIds: string[]): void;
  addMember(groupId: string, userId: string): void;
  removeMember(groupId: string, userId: string): void;
  /** A message in the user's Sent Items; sent an hour ago unless `details` says otherwise. */
  putSentMessage(
    userId: string,
    id: string,
    headers: { name: string; value: string }[],
    details?: { internetMessageId?: string; sentDateTime?: string },
  ): void;
  /** Every delta token issued so far is forgotten: the next delta request answers 410. */
  expireDeltaTokens(): void;
  /** The next `count` Graph requests answer 429 with Retry-After: seconds. */
  throttle(count: number, retryAfterSeconds: number): void;
  /** Posts a change notification as Graph does; answers the status Sealpost gave. */
  notifyCreated(subscriptionId: string, messageId: string, clientState?: string): Promise<number>;
  notifyLifecycle(subscriptionId: string, event: string): Promise<number>;
  close(): Promise<void>;
}

const PAGE_SIZE = 2;
// Graph's ceiling for Outlook message subscriptions.
const MAX_MESSAGE_SUBSCRIPTION_MINUTES = 10_080;

const graphError = (code: string, message: string) => ({
  error: {
    code,
    message,
    innerError: { date: new Date().toISOString(), 'request-id': randomUUID() },
  },
});

export async function startFakeMicrosoftGraph(): Promise<FakeMicrosoftGraph> {
  const ca = createTestCa('Fake Graph CA');
  const tls = issueCertificate(ca, { commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'] });
  const apps = new Map<string, FakeGraphApp>();
  const tokens = new Set<string>();
  const users = new Map<string, FakeGraphUser>();
  const groups = new Map<string, { displayName: string; members: Set<string> }>();
  const sent = new Map<
    string,
    {
      id: string;
      internetMessageId: string;
      sentDateTime: string;
      internetMessageHeaders: unknown[];
    }
  >();
  const changes: Change[] = [];
  let version = 0;
  // A delta token is `<generation>.<version>`; expiring bumps the generation.
  let generation = 1;
  let throttled = { count: 0, retryAfter: 0 };
  let origin = '';

  const record = (kind: Change['kind'], item: Record<string, unknown>) =>
    changes.push({ version: ++version, kind, item });

  const fake: FakeMicrosoftGraph = {
    origin: '',
    caPem: ca.certPem,
    requests: [],
    tokensIssued: 0,
    subscriptions: new Map(),
    createdInboxMessages: [],
    register: (app) => apps.set(`${app.tenantId}|${app.clientId}`, app),
    putUser: (user) => {
      users.set(user.id, user);
      record('users', { ...user });
    },
    removeUser: (id) => {
      // Entra drops a deleted user's memberships with it.
      for (const [groupId, group] of groups) {
        if (group.members.has(id)) {
          fake.removeMember(groupId, id);
        }
      }
      users.delete(id);
      record('users', { id, '@removed': { reason: 'changed' } });
    },
    putGroup: (id, displayName, memberIds) => {
      groups.set(id, { displayName, members: new Set(memberIds) });
      record('groups', { id, displayName, 'members@delta': memberIds.map(memberRef) });
    },
    addMember: (groupId, userId) => {
      groups.get(groupId)?.members.add(userId);
      record('groups', { id: groupId, 'members@delta': [memberRef(userId)] });
    },
    removeMember: (groupId, userId) => {
      groups.get(groupId)?.members.delete(userId);
      record('groups', {
        id: groupId,
        'members@delta': [{ ...memberRef(userId), '@removed': { reason: 'deleted' } }],
      });
    },
    putSentMessage: (userId, id, headers, details = {}) =>
      sent.set(`${userId}|${id}`, {
        id,
        internetMessageId: details.internetMessageId ?? `<${id}@fake.prod.outlook.com>`,
        sentDateTime: details.sentDateTime ?? new Date(Date.now() - 3600_000).toISOString(),
        internetMessageHeaders: headers,
      }),
    expireDeltaTokens: () => {
      generation++;
    },
    throttle: (count, retryAfter) => {
      throttled = { count, retryAfter };
    },
    notifyCreated: async (subscriptionId, messageId, clientState) => {
      const subscription = fake.subscriptions.get(subscriptionId)!;
      const userId = /^users\/([^/]+)\//.exec(subscription.resource)?.[1] ?? '';
      return postJson(subscription.notificationUrl, {
        value: [
          {
            subscriptionId,
            subscriptionExpirationDateTime: subscription.expirationDateTime,
            changeType: 'created',
            resource: `Users/${userId}/Messages/${messageId}`,
            resourceData: {
              '@odata.type': '#Microsoft.Graph.Message',
              '@odata.id': `Users/${userId}/Messages/${messageId}`,
              '@odata.etag': `W/"${randomBytes(6).toString('hex')}"`,
              id: messageId,
            },
            clientState: clientState ?? subscription.clientState,
            tenantId: randomUUID(),
          },
        ],
      });
    },
    notifyLifecycle: async (subscriptionId, event) => {
      const subscription = fake.subscriptions.get(subscriptionId)!;
      return postJson(subscription.lifecycleNotificationUrl, {
        value: [
          {
            subscriptionId,
            subscriptionExpirationDateTime: subscription.expirationDateTime,
            tenantId: randomUUID(),
            clientState: subscription.clientState,
            lifecycleEvent: event,
          },
        ],
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function deltaPage(kind: Change['kind'], query: URLSearchParams, path: string) {
    const skip = Number(query.get('$skiptoken') ?? '0');
    const deltaToken = query.get('$deltatoken');
    const since = deltaToken === null ? null : Number(deltaToken.split('.')[1]);
    let items: Record<string, unknown>[];
    let upTo: number;
    if (since === null) {
      // A first sync: the present state, members included.
      upTo = Number(query.get('upto') ?? version);
      items =
        kind === 'users'
          ? [...users.values()].map((user) => ({ ...user }))
          : [...groups.entries()].map(([id, group]) => ({
              id,
              displayName: group.displayName,
              'members@delta': [...group.members].map(memberRef),
            }));
    } else {
      upTo = Number(query.get('upto') ?? version);
      items = changes
        .filter(
          (change) => change.kind === kind && change.version > since && change.version <= upTo,
        )
        .map((change) => change.item);
    }
    const page = items.slice(skip, skip + PAGE_SIZE);
    const context = `${origin}/v1.0/$metadata#${kind}`;
    const base = `${origin}/v1.0${path}`;
    const rest = since === null ? '' : `&$deltatoken=${generation}.${since}`;
    if (skip + PAGE_SIZE < items.length) {
      return {
        '@odata.context': context,
        '@odata.nextLink': `${base}?$skiptoken=${skip + PAGE_SIZE}&upto=${upTo}${rest}`,
        value: page,
      };
    }
    return {
      '@odata.context': context,
      '@odata.deltaLink': `${base}?$deltatoken=${generation}.${upTo}`,
      value: page,
    };
  }

  async function issueToken(tenant: string, form: URLSearchParams): Promise<[number, unknown]> {
    const app = apps.get(`${tenant}|${form.get('client_id')}`);
    const refuse = (error: string, description: string): [number, unknown] => [
      401,
      {
        error,
        error_description: description,
        error_codes: [7000215],
        timestamp: new Date().toISOString(),
        trace_id: randomUUID(),
        correlation_id: randomUUID(),
      },
    ];
    if (
      form.get('grant_type') !== 'client_credentials' ||
      form.get('scope') !== 'https://graph.microsoft.com/.default'
    ) {
      return [400, { error: 'invalid_request', error_description: 'AADSTS900144: bad request' }];
    }
    if (!app) {
      return refuse('unauthorized_client', 'AADSTS700016: Application not found in the directory');
    }
    if (app.clientSecret !== undefined) {
      if (form.get('client_secret') !== app.clientSecret) {
        return refuse('invalid_client', 'AADSTS7000215: Invalid client secret provided.');
      }
    } else {
      const assertion = form.get('client_assertion') ?? '';
      const certificate = new X509Certificate(app.certificatePem ?? '');
      const thumbprint = createHash('sha256').update(certificate.raw).digest('base64url');
      try {
        const header = decodeProtectedHeader(assertion);
        if (
          form.get('client_assertion_type') !==
            'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' ||
          header['x5t#S256'] !== thumbprint
        ) {
          throw new Error('wrong certificate');
        }
        await jwtVerify(assertion, await importX509(app.certificatePem ?? '', 'RS256'), {
          audience: `${origin}/${tenant}/oauth2/v2.0/token`,
          issuer: app.clientId,
          subject: app.clientId,
        });
      } catch {
        return refuse(
          'invalid_client',
          'AADSTS700027: Client assertion failed signature validation.',
        );
      }
    }
    const token = randomBytes(24).toString('base64url');
    tokens.add(token);
    fake.tokensIssued++;
    return [
      200,
      { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token },
    ];
  }

  async function graph(
    method: string,
    path: string,
    query: URLSearchParams,
    body: string,
    reply: (status: number, payload?: unknown, headers?: Record<string, string>) => void,
  ): Promise<void> {
    if (path === '/v1.0/users/delta' || path === '/v1.0/groups/delta') {
      const kind = path.includes('users') ? 'users' : 'groups';
      const token = query.get('$deltatoken');
      if (token !== null && token.split('.')[0] !== String(generation)) {
        reply(
          410,
          graphError(
            'resyncRequired',
            "Resync required. Replace any local items with the server's version (including " +
              "deletes) if you're sure that the service was up to date with your local " +
              "changes when you last sync'd.",
          ),
          { location: `${origin}${path}` },
        );
        return;
      }
      reply(200, deltaPage(kind, query, path.slice('/v1.0'.length)));
      return;
    }
    if (path === '/v1.0/subscriptions' && method === 'POST') {
      const input = JSON.parse(body) as Omit<FakeSubscription, 'id'>;
      const minutes = (Date.parse(input.expirationDateTime) - Date.now()) / 60_000;
      if (minutes > MAX_MESSAGE_SUBSCRIPTION_MINUTES) {
        reply(
          400,
          graphError(
            'ExtensionError',
            'Subscription expiration can only be 10070 minutes in the future.',
          ),
        );
        return;
      }
      for (const url of [input.notificationUrl, input.lifecycleNotificationUrl]) {
        if (!(await validates(url))) {
          reply(
            400,
            graphError(
              'ValidationError',
              'Subscription validation request failed. Response must exactly match ' +
                'validationToken query parameter.',
            ),
          );
          return;
        }
      }
      const subscription: FakeSubscription = { ...input, id: randomUUID() };
      fake.subscriptions.set(subscription.id, subscription);
      reply(201, {
        '@odata.context': `${origin}/v1.0/$metadata#subscriptions/$entity`,
        ...subscription,
        applicationId: randomUUID(),
        creatorId: randomUUID(),
        includeResourceData: false,
        lifecycleNotificationUrl: input.lifecycleNotificationUrl,
        latestSupportedTlsVersion: 'v1_2',
        notificationContentType: null,
      });
      return;
    }
    const subscriptionMatch = /^\/v1\.0\/subscriptions\/([^/]+)$/.exec(path);
    if (subscriptionMatch && method === 'PATCH') {
      const subscription = fake.subscriptions.get(decodeURIComponent(subscriptionMatch[1]));
      if (!subscription) {
        reply(404, graphError('ResourceNotFound', 'The object was not found.'));
        return;
      }
      subscription.expirationDateTime = (JSON.parse(body) as FakeSubscription).expirationDateTime;
      reply(200, {
        '@odata.context': `${origin}/v1.0/$metadata#subscriptions/$entity`,
        ...subscription,
      });
      return;
    }
    const messageMatch = /^\/v1\.0\/users\/([^/]+)\/messages\/([^/]+)$/.exec(path);
    if (messageMatch && method === 'GET') {
      const message = sent.get(
        `${decodeURIComponent(messageMatch[1])}|${decodeURIComponent(messageMatch[2])}`,
      );
      if (!message) {
        reply(
          404,
          graphError('ErrorItemNotFound', 'The specified object was not found in the store.'),
        );
        return;
      }
      reply(200, {
        '@odata.context': `${origin}/v1.0/$metadata#users/messages/$entity`,
        ...message,
      });
      return;
    }
    const sentItems = /^\/v1\.0\/users\/([^/]+)\/mailFolders\('SentItems'\)\/messages$/.exec(path);
    if (sentItems && method === 'GET') {
      const userId = decodeURIComponent(sentItems[1]);
      const top = Number(query.get('$top') ?? '10');
      const value = [...sent.entries()]
        .filter(([key]) => key.startsWith(`${userId}|`))
        .map(([, message]) => message)
        .slice(0, top);
      reply(200, { '@odata.context': `${origin}/v1.0/$metadata#users/messages`, value });
      return;
    }
    const inbox = /^\/v1\.0\/users\/([^/]+)\/mailFolders\/inbox\/messages$/.exec(path);
    if (inbox && method === 'POST') {
      const message = JSON.parse(body) as Record<string, unknown>;
      const id = `AAMk${randomBytes(12).toString('hex')}`;
      fake.createdInboxMessages.push({ userId: decodeURIComponent(inbox[1]), body: message });
      reply(201, {
        '@odata.context': `${origin}/v1.0/$metadata#users/messages/$entity`,
        id,
        ...message,
      });
      return;
    }
    reply(400, graphError('BadRequest', 'Resource not found for the segment.'));
  }

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const path = decodeURI(url.pathname);
    fake.requests.push({
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };

    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (tokenPath && req.method === 'POST') {
      const [status, payload] = await issueToken(tokenPath[1], new URLSearchParams(body));
      reply(status, payload);
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.has(bearer)) {
      reply(401, graphError('InvalidAuthenticationToken', 'Access token validation failure.'));
      return;
    }
    if (throttled.count > 0) {
      throttled.count--;
      reply(
        429,
        graphError('TooManyRequests', 'Too many requests; retry after the time in Retry-After.'),
        { 'retry-after': String(throttled.retryAfter) },
      );
      return;
    }
    await graph(req.method ?? 'GET', path, url.searchParams, body, reply);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.origin = origin;
  return fake;
}

function memberRef(id: string) {
  return { '@odata.type': '#microsoft.graph.user', id };
}

/** Graph's handshake: POST with ?validationToken; 200 text/plain echoing it within 10 s. */
async function validates(url: string): Promise<boolean> {
  const token =
    'Validation: Testing client application reachability for subscription Request-Id: ' +
    randomUUID();
  try {
    const response = await fetch(`${url}?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      signal: AbortSignal.timeout(10_000),
    });
    return (
      response.status === 200 &&
      (response.headers.get('content-type') ?? '').startsWith('text/plain') &&
      (await response.text()) === token
    );
  } catch {
    return false;
  }
}

async function postJson(url: string, payload: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  await response.text();
  return response.status;
}

import {
  createSign,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import forge from 'node-forge';

/**
 * A loopback stand-in for the Google endpoints Sealpost calls, answering with the documented
 * request and response shapes: the OAuth 2.0 token endpoint (JWT bearer grant of a service
 * account with domain-wide delegation), Admin SDK Directory users/groups/members (paged with
 * pageToken/nextPageToken), Gmail users.watch/history.list/messages.list/messages.get/
 * getProfile (404 on a history id too old), Google's PEM signing certificates, and 429 with
 * Retry-After on demand. Every request is recorded so tests assert what Sealpost sent.
 */

export interface DirectoryUserEntry {
  id: string;
  primaryEmail: string;
  name?: { fullName?: string; givenName?: string; familyName?: string };
  suspended?: boolean;
  isAdmin?: boolean;
  orgUnitPath?: string;
}

export interface GroupEntry {
  id: string;
  email: string;
  name?: string;
  members: { id: string; email?: string; role: string; type: string }[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The delegated user of the access token used (the assertion's sub), if any. */
  subject?: string;
  body: string;
}

export interface TokenGrant {
  iss: string;
  sub?: string;
  scope: string;
  aud: string;
  exp: number;
  iat: number;
  /** Whether the assertion's RS256 signature verified against the registered key. */
  signatureValid: boolean;
}

interface SentMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  internalDate: number;
  headers: { name: string; value: string }[];
}

interface Mailbox {
  historyId: number;
  /** history.list with a startHistoryId below this answers 404. */
  oldestHistoryId: number;
  messages: SentMessage[];
  history: { id: string; messagesAdded: { message: Omit<SentMessage, 'headers'> }[] }[];
  watch?: { topicName: string; labelIds: string[]; labelFilterBehavior?: string };
}

interface Failure {
  pathPrefix: string;
  status: number;
  retryAfter?: string;
  remaining: number;
}

export interface FakeGoogle {
  /** Give to Sealpost as SEALPOST_GOOGLE_API_ROOT_URL. */
  rootUrl: string;
  /** SEALPOST_GOOGLE_TOKEN_URL. */
  tokenUrl: string;
  /** SEALPOST_GOOGLE_CERTS_URL. */
  certsUrl: string;
  requests: RecordedRequest[];
  grants: TokenGrant[];
  /** A service account's JSON key file, as Google Cloud issues it. */
  serviceAccountKey: Record<string, string>;
  users: DirectoryUserEntry[];
  groups: GroupEntry[];
  /** Subjects the service account may act as (domain-wide delegation granted). */
  delegated: Set<string>;
  /** The next `count` requests whose path starts with `pathPrefix` answer `status`. */
  failNext(
    pathPrefix: string,
    status: number,
    options?: { retryAfter?: string; count?: number },
  ): void;
  /** A message in the user's SENT label, stamped by the gateway or not; returns its id. */
  sendMail(
    address: string,
    options?: { stamped?: boolean; sentAt?: Date; messageId?: string },
  ): string;
  /** Moves a sent message's date (Gmail's internalDate), as if sent then. */
  setSentAt(address: string, id: string, sentAt: Date): void;
  /** Gmail forgets the user's history up to now: older start ids answer 404. */
  forgetHistory(address: string): void;
  mailbox(address: string): { historyId: string; watch?: Mailbox['watch'] };
  /** An OIDC token as Pub/Sub signs it for a push, with the fake's key; claims override. */
  signPushToken(claims: Record<string, unknown>, options?: { unsignedKid?: boolean }): string;
  close(): Promise<void>;
}

const SCOPE_DIRECTORY = 'https://www.googleapis.com/auth/admin.directory.';
const SCOPE_GMAIL = ['https://www.googleapis.com/auth/gmail.'];

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const account = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signerKid = randomBytes(20).toString('hex');
  const signerCert = selfSignedPem(signer.privateKey, signer.publicKey);
  const requests: RecordedRequest[] = [];
  const grants: TokenGrant[] = [];
  const tokens = new Map<string, { sub?: string; scope: string }>();
  const failures: Failure[] = [];
  const mailboxes = new Map<string, Mailbox>();
  const delegated = new Set<string>();
  const users: DirectoryUserEntry[] = [];
  const groups: GroupEntry[] = [];
  const clientEmail = `sealpost-${randomBytes(3).toString('hex')}@project.iam.gserviceaccount.com`;
  let nextId = 0x18c0000000;
  let baseUrl = '';

  const mailboxOf = (address: string): Mailbox => {
    const key = address.toLowerCase();
    let mailbox = mailboxes.get(key);
    if (!mailbox) {
      mailbox = {
        historyId: 1000 + mailboxes.size * 100,
        oldestHistoryId: 0,
        messages: [],
        history: [],
      };
      mailboxes.set(key, mailbox);
    }
    return mailbox;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://loopback');
    const body = await readBody(request);
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const grant = bearer ? tokens.get(bearer) : undefined;
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      subject: grant?.sub,
      body,
    };
    requests.push(recorded);

    const failure = failures.find((f) => url.pathname.startsWith(f.pathPrefix) && f.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      const headers: Record<string, string> = failure.retryAfter
        ? { 'retry-after': failure.retryAfter }
        : {};
      return sendError(response, failure.status, headers);
    }

    if (url.pathname === '/token' && request.method === 'POST') {
      return token(body, response);
    }
    if (url.pathname === '/oauth2/v1/certs') {
      return sendJson(
        response,
        200,
        { [signerKid]: signerCert },
        {
          'cache-control': 'public, max-age=300',
        },
      );
    }
    if (!grant) {
      return sendError(response, 401);
    }
    if (url.pathname.startsWith('/admin/directory/v1/')) {
      if (!grant.scope.split(' ').some((s) => s.startsWith(SCOPE_DIRECTORY))) {
        return sendError(response, 403);
      }
      return directory(url, response);
    }
    const gmailPath = /^\/gmail\/v1\/users\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (gmailPath) {
      const userId = decodeURIComponent(gmailPath[1]);
      const address = userId === 'me' ? grant.sub : userId;
      const scoped = grant.scope.split(' ').some((s) => SCOPE_GMAIL.some((g) => s.startsWith(g)));
      if (!address || !scoped || address !== grant.sub) {
        return sendError(response, 403);
      }
      return gmail(address, gmailPath[2], request.method ?? 'GET', url, body, response);
    }
    return sendError(response, 404);
  };

  const token = (body: string, response: ServerResponse): void => {
    const form = new URLSearchParams(body);
    const assertion = form.get('assertion') ?? '';
    const [header, payload, signature] = assertion.split('.');
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !signature) {
      return sendJson(response, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as TokenGrant;
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    const signatureValid = verifier.verify(account.publicKey, Buffer.from(signature, 'base64url'));
    grants.push({ ...claims, signatureValid });
    if (!signatureValid || claims.iss !== clientEmail) {
      return sendJson(response, 400, {
        error: 'invalid_grant',
        error_description: 'Invalid JWT Signature.',
      });
    }
    if (claims.sub && !delegated.has(claims.sub)) {
      return sendJson(response, 401, {
        error: 'unauthorized_client',
        error_description:
          'Client is unauthorized to retrieve access tokens using this method, or client not ' +
          'authorized for any of the scopes requested.',
      });
    }
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
    tokens.set(accessToken, { sub: claims.sub, scope: claims.scope });
    sendJson(response, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  };

  const directory = (url: URL, response: ServerResponse): void => {
    const query = url.searchParams;
    if (url.pathname === '/admin/directory/v1/users') {
      if (!query.get('customer') && !query.get('domain')) {
        return sendError(response, 400);
      }
      const page = pageOf(users, query, 100, 500);
      return sendJson(response, 200, {
        kind: 'admin#directory#users',
        etag: '"fake"',
        users: page.items.map((u) => ({ kind: 'admin#directory#user', ...u })),
        ...(page.next ? { nextPageToken: page.next } : {}),
      });
    }
    if (url.pathname === '/admin/directory/v1/groups') {
      const page = pageOf(groups, query, 200, 200);
      return sendJson(response, 200, {
        kind: 'admin#directory#groups',
        etag: '"fake"',
        groups: page.items.map(({ members, ...group }) => ({
          kind: 'admin#directory#group',
          ...group,
          directMembersCount: String(members.length),
        })),
        ...(page.next ? { nextPageToken: page.next } : {}),
      });
    }
    const members = /^\/admin\/directory\/v1\/groups\/([^/]+)\/members$/.exec(url.pathname);
    const group = members && groups.find((g) => g.id === decodeURIComponent(members[1]));
    if (group) {
      const page = pageOf(group.members, query, 200, 200);
      return sendJson(response, 200, {
        kind: 'admin#directory#members',
        etag: '"fake"',
        members: page.items.map((m) => ({
          kind: 'admin#directory#member',
          status: 'ACTIVE',
          ...m,
        })),
        ...(page.next ? { nextPageToken: page.next } : {}),
      });
    }
    sendError(response, 404);
  };

  const gmail = (
    address: string,
    rest: string,
    method: string,
    url: URL,
    body: string,
    response: ServerResponse,
  ): void => {
    const mailbox = mailboxOf(address);
    const query = url.searchParams;
    if (rest === 'watch' && method === 'POST') {
      const request = JSON.parse(body || '{}') as Mailbox['watch'];
      if (!request?.topicName) {
        return sendError(response, 400);
      }
      mailbox.watch = request;
      return sendJson(response, 200, {
        historyId: String(mailbox.historyId),
        expiration: String(Date.now() + 7 * 24 * 3600 * 1000),
      });
    }
    if (rest === 'profile') {
      return sendJson(response, 200, {
        emailAddress: address,
        messagesTotal: mailbox.messages.length,
        threadsTotal: mailbox.messages.length,
        historyId: String(mailbox.historyId),
      });
    }
    if (rest === 'history') {
      const start = Number(query.get('startHistoryId'));
      if (!start || start < mailbox.oldestHistoryId) {
        return sendError(response, 404);
      }
      const label = query.get('labelId');
      const records = mailbox.history.filter(
        (record) =>
          Number(record.id) > start &&
          record.messagesAdded.some((a) => !label || a.message.labelIds.includes(label)),
      );
      const page = pageOf(records, query, 100, 500);
      return sendJson(response, 200, {
        ...(page.items.length ? { history: page.items } : {}),
        historyId: String(mailbox.historyId),
        ...(page.next ? { nextPageToken: page.next } : {}),
      });
    }
    if (rest === 'messages') {
      const labels = query.getAll('labelIds');
      const listed = [...mailbox.messages]
        .reverse()
        .filter((m) => labels.every((label) => m.labelIds.includes(label)));
      const page = pageOf(listed, query, 100, 500);
      return sendJson(response, 200, {
        messages: page.items.map((m) => ({ id: m.id, threadId: m.threadId })),
        ...(page.next ? { nextPageToken: page.next } : {}),
        resultSizeEstimate: listed.length,
      });
    }
    const get = /^messages\/([^/]+)$/.exec(rest);
    const message = get && mailbox.messages.find((m) => m.id === get[1]);
    if (message) {
      const wanted = query.getAll('metadataHeaders').map((h) => h.toLowerCase());
      return sendJson(response, 200, {
        id: message.id,
        threadId: message.threadId,
        labelIds: message.labelIds,
        snippet: 'Lab results for the patient are attached',
        historyId: String(mailbox.historyId),
        internalDate: String(message.internalDate),
        sizeEstimate: 2048,
        payload: {
          partId: '',
          mimeType: 'multipart/mixed',
          filename: '',
          headers: message.headers.filter(
            (h) => query.get('format') !== 'metadata' || wanted.includes(h.name.toLowerCase()),
          ),
        },
      });
    }
    sendError(response, 404);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => sendError(response, 500));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    rootUrl: `${baseUrl}/`,
    tokenUrl: `${baseUrl}/token`,
    certsUrl: `${baseUrl}/oauth2/v1/certs`,
    requests,
    grants,
    users,
    groups,
    delegated,
    serviceAccountKey: {
      type: 'service_account',
      project_id: 'sealpost-test',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: account.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: clientEmail,
      client_id: String(100000000000000000000n + BigInt(randomBytes(4).readUInt32BE())),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${clientEmail}`,
      universe_domain: 'googleapis.com',
    },
    failNext(pathPrefix, status, options = {}) {
      failures.push({
        pathPrefix,
        status,
        retryAfter: options.retryAfter,
        remaining: options.count ?? 1,
      });
    },
    sendMail(address, options = {}) {
      const mailbox = mailboxOf(address);
      nextId += 1;
      mailbox.historyId += 7;
      const id = nextId.toString(16);
      const message: SentMessage = {
        id,
        threadId: id,
        labelIds: ['SENT'],
        internalDate: (options.sentAt ?? new Date()).getTime(),
        headers: [
          { name: 'From', value: address },
          { name: 'To', value: 'patient@patients.example' },
          { name: 'Subject', value: 'Your lab results' },
          { name: 'Message-ID', value: options.messageId ?? `<${id}.fake@mail.gmail.com>` },
          ...(options.stamped ? [{ name: 'X-Sealpost-Gateway', value: 'i=abc; host=gw' }] : []),
        ],
      };
      mailbox.messages.push(message);
      const listed = {
        id,
        threadId: id,
        labelIds: message.labelIds,
        internalDate: message.internalDate,
      };
      mailbox.history.push({ id: String(mailbox.historyId), messagesAdded: [{ message: listed }] });
      return id;
    },
    setSentAt(address, id, sentAt) {
      const message = mailboxOf(address).messages.find((m) => m.id === id);
      if (message) {
        message.internalDate = sentAt.getTime();
      }
    },
    forgetHistory(address) {
      const mailbox = mailboxOf(address);
      mailbox.oldestHistoryId = mailbox.historyId + 1;
      mailbox.historyId += 3;
    },
    mailbox(address) {
      const mailbox = mailboxOf(address);
      return { historyId: String(mailbox.historyId), watch: mailbox.watch };
    },
    signPushToken(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'RS256', typ: 'JWT', kid: options.unsignedKid ? 'unknown' : signerKid };
      const payload = {
        iss: 'https://accounts.google.com',
        aud: 'https://sealpost.example/google/pubsub',
        azp: '100000000000000000001',
        email: 'pubsub-push@sealpost-test.iam.gserviceaccount.com',
        email_verified: true,
        sub: '100000000000000000001',
        iat: now,
        exp: now + 3600,
        ...claims,
      };
      const signed = [header, payload]
        .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
        .join('.');
      const signature = createSign('RSA-SHA256').update(signed).sign(signer.privateKey);
      return `${signed}.${signature.toString('base64url')}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function pageOf<T>(
  items: T[],
  query: URLSearchParams,
  fallback: number,
  max: number,
): { items: T[]; next?: string } {
  const size = Math.min(Number(query.get('maxResults') ?? fallback) || fallback, max);
  const start = Number(query.get('pageToken') ?? 0) || 0;
  const end = start + size;
  return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}

const STATUS_TEXT: Record<number, [string, string, string]> = {
  400: ['INVALID_ARGUMENT', 'invalid', 'Invalid Input'],
  401: ['UNAUTHENTICATED', 'authError', 'Invalid Credentials'],
  403: ['PERMISSION_DENIED', 'forbidden', 'Not Authorized to access this resource/api'],
  404: ['NOT_FOUND', 'notFound', 'Requested entity was not found.'],
  429: ['RESOURCE_EXHAUSTED', 'rateLimitExceeded', 'Rate Limit Exceeded'],
  500: ['INTERNAL', 'backendError', 'Backend Error'],
  503: ['UNAVAILABLE', 'backendError', 'The service is currently unavailable.'],
};

/** Google's error body: {error: {code, message, errors: [{message, domain, reason}], status}}. */
function sendError(response: ServerResponse, status: number, headers: Record<string, string> = {}) {
  const [code, reason, message] = STATUS_TEXT[status] ?? ['UNKNOWN', 'unknown', 'Error'];
  sendJson(
    response,
    status,
    {
      error: {
        code: status,
        message,
        errors: [{ message, domain: 'global', reason }],
        status: code,
      },
    },
    headers,
  );
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Google serves its token-signing keys as X.509 certificates in PEM, keyed by kid. */
function selfSignedPem(privateKey: KeyObject, publicKey: KeyObject): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 14 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: 'securetoken.system.gserviceaccount.com' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create(),
  );
  return forge.pki.certificateToPem(cert);
}

import { once } from 'node:events';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp, type Options } from 'pino-http';
import { loggerParams, REQUEST_ID_HEADER, requestIdOf } from './logger-options';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function exchange(requestId?: string | string[]): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  if (requestId !== undefined) {
    req.headers[REQUEST_ID_HEADER] = requestId;
  }
  return { req, res: new ServerResponse(req) };
}

function httpOptions(): Options {
  const { pinoHttp: options } = loggerParams({ level: 'info' }, 'api');
  if (!options || Array.isArray(options) || 'write' in options) {
    throw new Error('expected pino-http options');
  }
  return options;
}

describe('requestIdOf', () => {
  it.each(['abc', 'req-2024.05.01:7_x', 'A'.repeat(100), '0f8fad5b-d9cb-469f-a165-70867728950e'])(
    'keeps the safe id %p and echoes it in X-Request-Id',
    (given) => {
      const { req, res } = exchange(given);

      expect(requestIdOf(req, res)).toBe(given);
      expect(res.getHeader('x-request-id')).toBe(given);
    },
  );

  it.each([
    ['an empty id', ''],
    ['an id with a space', 'a b'],
    ['an id with a new line', 'a\nlevel=fatal'],
    ['an id with markup', '<script>'],
    ['an id with an address', 'jane.doe@clinic.test'],
    ['an id of 101 characters', 'A'.repeat(101)],
    ['repeated headers', ['a', 'b']],
  ])('replaces %s with a fresh UUID', (_case, given) => {
    const { req, res } = exchange(given);

    const id = requestIdOf(req, res);

    expect(id).toMatch(UUID);
    expect(res.getHeader('x-request-id')).toBe(id);
  });

  it('makes a fresh UUID when the caller sent none, different each time', () => {
    const first = exchange();
    const second = exchange();

    const ids = [requestIdOf(first.req, first.res), requestIdOf(second.req, second.res)];

    expect(ids[0]).toMatch(UUID);
    expect(ids[1]).toMatch(UUID);
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe('loggerParams', () => {
  it('logs a request by method and path only, without its query string', () => {
    const serialize = httpOptions().serializers?.req;

    const logged: unknown = serialize?.({
      id: 'req-1',
      method: 'GET',
      url: '/v1/messages?recipient=jane.doe%40clinic.test&limit=5',
      headers: { authorization: 'Bearer sp_x' },
    });

    expect(logged).toEqual({ id: 'req-1', method: 'GET', path: '/v1/messages' });
  });

  it('logs a path that has no query string unchanged', () => {
    const serialize = httpOptions().serializers?.req;

    expect(serialize?.({ id: 'r', method: 'POST', url: '/v1/messages' })).toMatchObject({
      path: '/v1/messages',
    });
  });

  it('logs a portal page without the link token it was opened with', () => {
    const serialize = httpOptions().serializers?.req;
    const token = `${'a'.repeat(43)}.${'b'.repeat(22)}`;

    expect(serialize?.({ id: 'r', method: 'GET', url: `/portal/${token}/message` })).toEqual({
      id: 'r',
      method: 'GET',
      path: '/portal/[link]/message',
    });
  });

  it('logs a tracking request without its token, which carries the link', () => {
    const serialize = httpOptions().serializers?.req;

    expect(serialize?.({ id: 'r', method: 'GET', url: '/t/c/AAAA.BBBB?x=1' })).toEqual({
      id: 'r',
      method: 'GET',
      path: '/t/c/[token]',
    });
    expect(serialize?.({ id: 'r', method: 'GET', url: '/t/o/AAAA.BBBB' })?.path).toBe(
      '/t/o/[token]',
    );
  });

  it('logs the removal of a suppression without the address in its path', () => {
    const serialize = httpOptions().serializers?.req;

    expect(
      serialize?.({ id: 'r', method: 'DELETE', url: '/v1/suppressions/jane.doe%40clinic.test' }),
    ).toEqual({ id: 'r', method: 'DELETE', path: '/v1/suppressions/[address]' });
    expect(serialize?.({ id: 'r', method: 'GET', url: '/v1/suppressions?limit=5' })?.path).toBe(
      '/v1/suppressions',
    );
  });

  it('sets the level and service name of every line', () => {
    const options = httpOptions();

    expect(options.level).toBe('info');
    expect(options.base).toEqual({ service: 'api' });
  });

  describe('inside pino-http on a real server', () => {
    it('writes the request id and path, never the query string or credentials', async () => {
      const chunks: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString('utf8'));
          done();
        },
      });
      const middleware = pinoHttp(httpOptions(), sink);
      const server = createServer((req, res) => {
        middleware(req, res);
        res.end('ok');
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');

      try {
        const { port } = server.address() as AddressInfo;
        const response = await fetch(
          `http://127.0.0.1:${port}/v1/messages?recipient=jane.doe%40clinic.test`,
          { headers: { authorization: 'Bearer sp_secret', 'x-request-id': 'trace-42' } },
        );
        await response.text();

        expect(response.headers.get('x-request-id')).toBe('trace-42');
        const line = JSON.parse(chunks.join('').trim().split('\n')[0]) as Record<string, unknown>;
        expect(line).toMatchObject({
          service: 'api',
          req: { id: 'trace-42', method: 'GET', path: '/v1/messages' },
          res: { statusCode: 200 },
        });
        expect(chunks.join('')).not.toContain('jane.doe');
        expect(chunks.join('')).not.toContain('sp_secret');
      } finally {
        server.close();
        await once(server, 'close');
      }
    });
  });
});

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { type LoggingConfig } from '../config/config.types';
import { REDACT_PATHS } from './redaction';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;
export const REQUEST_ID_HEADER = 'x-request-id';
// A portal link's last segment is a credential: whoever reads the log must not hold it.
const PORTAL_LINK = /^\/portal\/[^/]+/;
// A click token carries the link it leads to, which may name a patient.
const TRACKING_TOKEN = /^\/t\/([oc])\/[^/]+/;
// Removing a suppression names the address in the path.
const SUPPRESSED_ADDRESS = /^\/v1\/suppressions\/[^/]+/;

/** Accepts a caller's request id when it is harmless, else makes one. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * pino through nestjs-pino. Requests are logged by route path only: query strings can carry
 * addresses (`?recipient=`), so they never reach the log; nor do portal link tokens or an
 * address in a path.
 */
export function loggerParams(config: LoggingConfig, service: string): Params {
  return {
    pinoHttp: {
      level: config.level,
      base: { service },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      genReqId: requestIdOf,
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string }) => ({
          id: req.id,
          method: req.method,
          path: (req.url ?? '')
            .split('?')[0]
            .replace(PORTAL_LINK, '/portal/[link]')
            .replace(TRACKING_TOKEN, '/t/$1/[token]')
            .replace(SUPPRESSED_ADDRESS, '/v1/suppressions/[address]'),
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}

import { ErrorCode, SealpostError } from '@sealpost/core';

export const ROUTING_MODES = ['subject', 'all'] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

export interface RoutingRequest {
  organisation: string;
  gatewayHost: string;
  /** The gateway's SMTP port (SEALPOST_GATEWAY_PORT). */
  port: number;
  mode: RoutingMode;
  /** subject mode: the tag senders put in the subject, e.g. [secure]. */
  subjectTag: string;
  /** The Workspace domain, when the connection names one. */
  domain?: string | null;
}

const HOST = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$/i;
const ROUTE_NAME = 'Sealpost gateway';

/**
 * The Google Admin console steps that send outbound Gmail through the Sealpost gateway: a
 * route (Hosts) that requires verified TLS, and a content compliance rule that changes the
 * route of outbound mail carrying the subject tag (or of all outbound mail), except mail the
 * gateway already stamped, so nothing loops.
 */
export function googleRoutingSteps(request: RoutingRequest): string {
  if (!HOST.test(request.gatewayHost) || !request.gatewayHost.includes('.')) {
    throw new SealpostError(
      ErrorCode.InvalidValue,
      'gateway-host must be the gateway’s fully qualified name, e.g. mail-gw.example.org.',
    );
  }
  if (!Number.isInteger(request.port) || request.port < 1 || request.port > 65535) {
    throw new SealpostError(ErrorCode.InvalidValue, 'port must be from 1 to 65535.');
  }
  const tag = request.subjectTag.trim();
  if (request.mode === 'subject' && !tag) {
    throw new SealpostError(ErrorCode.MissingValue, 'A subject tag is needed in subject mode.');
  }
  const domain = request.domain ?? 'your domain';
  const what = request.mode === 'subject' ? `messages tagged ${tag}` : 'all outbound mail';
  const domains = request.domain ?? '<your domain>';
  const ruleName = request.mode === 'subject' ? 'tagged' : 'all';
  const sample = request.mode === 'subject' ? `a message with ${tag} in the subject` : 'a message';
  const match =
    request.mode === 'subject'
      ? [
          `     Choose "If ALL of the following match the message", then add:`,
          `     Expression 1: Advanced content match; Location: Subject;`,
          `       Match type: Contains text; Content: ${tag}`,
          `     Expression 2: Advanced content match; Location: Full headers;`,
          `       Match type: Not contains text; Content: X-Sealpost-Gateway:`,
        ]
      : [
          `     Expression: Advanced content match; Location: Full headers;`,
          `       Match type: Not contains text; Content: X-Sealpost-Gateway:`,
          `     (Every outbound message matches except those the gateway already stamped.)`,
        ];
  return [
    `Google Workspace routing for "${request.organisation}" (${domain}) through the Sealpost`,
    `gateway ${request.gatewayHost}:${request.port}, ${what}.`,
    '',
    'Before you start: let Google’s outbound servers relay through the gateway. Google',
    'publishes them in the SPF record _spf.google.com; add each range for your organisation:',
    `  npx sealpost gateway range add <CIDR> --org "${request.organisation}" --domains ${domains}`,
    '',
    '1. Admin console > Apps > Google Workspace > Gmail > Hosts > Add route',
    `   Name: ${ROUTE_NAME}`,
    `   Specify email server: Single host; ${request.gatewayHost}, port ${request.port}`,
    '   Options: leave "Perform MX lookup on host" unticked; tick',
    '     "Require mail to be transmitted via a secure (TLS) connection",',
    '     "Require CA signed certificate" and "Validate certificate hostname".',
    '   Click "Test TLS connection", then Save.',
    '',
    '2. Admin console > Apps > Google Workspace > Gmail > Compliance > Content compliance',
    '   (at the top-level organisational unit) > Configure',
    `   Description: Route ${ruleName} outbound mail through Sealpost`,
    '   Email messages to affect: Outbound',
    '   Add expressions that describe the content you want to search for in each message:',
    ...match,
    '   If the above expressions match, do the following: Modify message',
    `     Route: Change route; select "${ROUTE_NAME}"`,
    '     Also reroute spam; tick "Perform this action on non-recognized and recognized',
    '     addresses".',
    '   Save. Changes can take up to an hour to reach every Gmail server.',
    '',
    'Loop prevention: the gateway stamps X-Sealpost-Gateway on every message it takes, and the',
    'rule above skips stamped messages, so mail the gateway hands back to Gmail is not routed',
    'to it again.',
    '',
    `Verify: send ${sample} to an outside mailbox.`,
    `Reporting > Email Log Search in the Admin console shows it routed to ${request.gatewayHost};`,
    'GET /v1/messages in Sealpost lists it with the tag smtp-gateway.',
  ].join('\n');
}

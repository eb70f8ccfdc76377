export const ROUTING_MODES = ['header', 'subject', 'all'] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

export interface RoutingScriptInput {
  organisationName: string;
  /** The gateway's public host name; its certificate must name it (DomainValidation). */
  gatewayHost: string;
  mode: RoutingMode;
  /** The organisation's protection subject tag, for `subject` mode. */
  subjectTag: string | null;
}

const CONNECTOR_NAME = 'Sealpost gateway';
const RULE_NAME = 'Route to Sealpost';
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** A PowerShell single-quoted string: a quote is doubled, nothing else is special. */
export function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The Exchange Online PowerShell that routes an organisation's outbound mail through the
 * Sealpost gateway: a transport-rule-scoped outbound connector that only delivers to the
 * gateway over TLS with a certificate for its host name, and one rule choosing which mail
 * takes it. The rule skips mail already stamped by the gateway, so a message the gateway
 * relays back through Exchange cannot loop.
 */
export function exchangeRoutingScript(input: RoutingScriptInput): string {
  if (!HOST_NAME.test(input.gatewayHost)) {
    throw new Error('the gateway host must be a fully qualified host name');
  }
  if (input.mode === 'subject' && !input.subjectTag) {
    throw new Error("the organisation's policy has no subject tag; use --mode header or all");
  }
  const host = input.gatewayHost.toLowerCase();
  const connector = [
    `New-OutboundConnector -Name ${psQuote(CONNECTOR_NAME)}`,
    `  -ConnectorType Partner`,
    `  -UseMXRecord $false`,
    `  -SmartHosts ${psQuote(host)}`,
    `  -TlsSettings DomainValidation`,
    `  -TlsDomain ${psQuote(host)}`,
    `  -IsTransportRuleScoped $true`,
    `  -Enabled $true`,
    `  -Comment ${psQuote(`Sealpost secure mail for ${input.organisationName}`)}`,
  ];
  const rule = [
    `New-TransportRule -Name ${psQuote(RULE_NAME)}`,
    `  -Priority 0`,
    `  -FromScope InOrganization`,
    `  -SentToScope NotInOrganization`,
    ...conditionLines(input),
    `  -ExceptIfHeaderContainsMessageHeader 'X-Sealpost-Gateway'`,
    `  -ExceptIfHeaderContainsWords 'host'`,
    `  -RouteMessageOutboundConnector ${psQuote(CONNECTOR_NAME)}`,
    `  -StopRuleProcessing $true`,
  ];
  return [
    `# Sealpost: route outbound mail of ${input.organisationName} through ${host}`,
    `# Run in Exchange Online PowerShell (Connect-ExchangeOnline) as an Exchange administrator.`,
    `# Mode: ${describeMode(input)}`,
    joinLines(connector),
    '',
    joinLines(rule),
    '',
  ].join('\n');
}

function conditionLines(input: RoutingScriptInput): string[] {
  switch (input.mode) {
    case 'header':
      return [
        `  -HeaderMatchesMessageHeader 'X-Sealpost-Encrypt'`,
        `  -HeaderMatchesPatterns '^(1|true|yes)$'`,
      ];
    case 'subject':
      return [`  -SubjectContainsWords ${psQuote(input.subjectTag ?? '')}`];
    case 'all':
      return [];
  }
}

function describeMode(input: RoutingScriptInput): string {
  switch (input.mode) {
    case 'header':
      return 'mail with the X-Sealpost-Encrypt header (Outlook add-in)';
    case 'subject':
      return `mail whose subject contains ${input.subjectTag ?? ''}`;
    case 'all':
      return 'all mail to recipients outside the organisation';
  }
}

// PowerShell continues a command on the next line after a backtick at the end of a line.
function joinLines(lines: string[]): string {
  return lines.map((line, index) => (index < lines.length - 1 ? `${line} \`` : line)).join('\n');
}

import { exchangeRoutingScript, psQuote } from './exchange-routing-script';

const base = {
  organisationName: 'St Mary',
  gatewayHost: 'gw.stmary.example',
  subjectTag: '[secure]',
};

describe('exchangeRoutingScript', () => {
  it('creates a transport-rule-scoped connector to the gateway with TLS domain validation', () => {
    const script = exchangeRoutingScript({ ...base, mode: 'all' });

    expect(script).toContain("New-OutboundConnector -Name 'Sealpost gateway' `");
    expect(script).toContain("-SmartHosts 'gw.stmary.example' `");
    expect(script).toContain('-UseMXRecord $false `');
    expect(script).toContain('-TlsSettings DomainValidation `');
    expect(script).toContain("-TlsDomain 'gw.stmary.example' `");
    expect(script).toContain('-IsTransportRuleScoped $true `');
  });

  it('routes by the X-Sealpost-Encrypt header and never mail the gateway stamped', () => {
    const script = exchangeRoutingScript({ ...base, mode: 'header' });

    expect(script).toContain("-HeaderMatchesMessageHeader 'X-Sealpost-Encrypt' `");
    expect(script).toContain("-ExceptIfHeaderContainsMessageHeader 'X-Sealpost-Gateway' `");
    expect(script).toContain("-RouteMessageOutboundConnector 'Sealpost gateway' `");
    expect(script).not.toContain('SubjectContainsWords');
  });

  it('routes by the organisation’s subject tag, quoted for PowerShell', () => {
    const script = exchangeRoutingScript({ ...base, mode: 'subject', subjectTag: "[it's secure]" });

    expect(script).toContain("-SubjectContainsWords '[it''s secure]' `");
    expect(script).not.toContain('HeaderMatchesMessageHeader');
  });

  it('routes all outside mail with no content condition but keeps the loop exception', () => {
    const script = exchangeRoutingScript({ ...base, mode: 'all' });

    expect(script).toContain('-SentToScope NotInOrganization `');
    expect(script).not.toMatch(/HeaderMatchesMessageHeader|SubjectContainsWords/);
    expect(script).toContain('ExceptIfHeaderContainsMessageHeader');
    // Every line but the last of each command continues with a backtick.
    const commands = script.split('\n\n').filter((part) => part.includes('New-'));
    for (const command of commands) {
      const lines = command.split('\n').filter((line) => line && !line.startsWith('#'));
      expect(lines.slice(0, -1).every((line) => line.endsWith(' `'))).toBe(true);
      expect(lines.at(-1)).not.toMatch(/`$/);
    }
  });

  it('refuses a host that is not a fully qualified name, and subject mode without a tag', () => {
    expect(() =>
      exchangeRoutingScript({ ...base, gatewayHost: 'gw; Remove-Mailbox', mode: 'all' }),
    ).toThrow(/fully qualified/);
    expect(() => exchangeRoutingScript({ ...base, subjectTag: null, mode: 'subject' })).toThrow(
      /no subject tag/,
    );
  });

  it('doubles single quotes so a value cannot end the string', () => {
    expect(psQuote("O'Brien'; Remove-Item")).toBe("'O''Brien''; Remove-Item'");
  });
});

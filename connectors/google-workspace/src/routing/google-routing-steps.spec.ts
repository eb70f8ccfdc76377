import { googleRoutingSteps, type RoutingRequest } from './google-routing-steps';

const request: RoutingRequest = {
  organisation: 'Example Clinic',
  gatewayHost: 'mail-gw.example.org',
  port: 2587,
  mode: 'subject',
  subjectTag: '[secure]',
  domain: 'example.org',
};

describe('googleRoutingSteps', () => {
  it('adds the gateway as a route that requires verified TLS', () => {
    const steps = googleRoutingSteps(request);

    expect(steps).toContain('Apps > Google Workspace > Gmail > Hosts > Add route');
    expect(steps).toContain('Single host; mail-gw.example.org, port 2587');
    expect(steps).toContain('"Require mail to be transmitted via a secure (TLS) connection"');
    expect(steps).toContain('"Require CA signed certificate" and "Validate certificate hostname"');
  });

  it('routes outbound mail with the subject tag, except mail the gateway stamped', () => {
    const steps = googleRoutingSteps(request);

    expect(steps).toContain('Gmail > Compliance > Content compliance');
    expect(steps).toContain('Email messages to affect: Outbound');
    expect(steps).toContain(
      'Location: Subject;\n       Match type: Contains text; Content: [secure]',
    );
    expect(steps).toContain('Match type: Not contains text; Content: X-Sealpost-Gateway:');
    expect(steps).toContain('"If ALL of the following match the message"');
    expect(steps).toContain('Route: Change route; select "Sealpost gateway"');
    expect(steps).toContain(
      'npx sealpost gateway range add <CIDR> --org "Example Clinic" --domains example.org',
    );
  });

  it('routes all outbound mail in all mode, with the same loop exception', () => {
    const steps = googleRoutingSteps({ ...request, mode: 'all' });

    expect(steps).not.toContain('Location: Subject');
    expect(steps).toContain('all outbound mail');
    expect(steps).toContain('Match type: Not contains text; Content: X-Sealpost-Gateway:');
    expect(steps).toContain('Route: Change route; select "Sealpost gateway"');
  });

  it('keeps every line within 100 characters', () => {
    const lines = googleRoutingSteps(request).split('\n');

    expect(lines.filter((line) => line.length > 100)).toEqual([]);
  });

  it('refuses a gateway host that is not a fully qualified name, and a bad port', () => {
    expect(() => googleRoutingSteps({ ...request, gatewayHost: 'gw' })).toThrow(/gateway-host/);
    expect(() => googleRoutingSteps({ ...request, gatewayHost: 'a b.example' })).toThrow();
    expect(() => googleRoutingSteps({ ...request, port: 0 })).toThrow(/port/);
    expect(() => googleRoutingSteps({ ...request, subjectTag: ' ' })).toThrow(/subject tag/);
  });
});

// A real OAuth 2.0 authorisation server (oidc-provider) for SMART Backend Services tests:
// client_credentials with private_key_jwt client assertions, and token introspection so a
// loopback FHIR server can check the bearer tokens it is shown. oidc-provider is ESM only,
// so it runs in its own process; smart-auth-server.ts starts it and reads the first line.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.SMART_AUTH_SETTINGS ?? '{}');
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const stats = { tokensIssued: 0, assertionsRefused: 0 };

const provider = new Provider(issuer, {
  clients: [
    ...settings.clients.map((client) => ({
      client_id: client.clientId,
      ...(client.jwksUri ? { jwks_uri: client.jwksUri } : { jwks: client.jwks }),
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: settings.scope,
    })),
    {
      client_id: 'fhir-server',
      client_secret: settings.introspectionSecret,
      grant_types: [],
      redirect_uris: [],
      response_types: [],
    },
  ],
  scopes: settings.scope.split(' '),
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
  },
  enabledJWA: { clientAuthSigningAlgValues: ['RS384', 'ES384'] },
  ttl: { ClientCredentials: settings.tokenTtlSeconds ?? 300 },
});
provider.on('client_credentials.saved', () => (stats.tokensIssued += 1));
provider.on('grant.error', () => (stats.assertionsRefused += 1));
provider.use(async (ctx, next) => {
  if (ctx.path === '/test/stats') {
    ctx.body = stats;
    return;
  }
  await next();
});
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer, tokenEndpoint: `${issuer}/token` })}\n`);

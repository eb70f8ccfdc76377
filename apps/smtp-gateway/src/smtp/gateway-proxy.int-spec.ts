import { connect, type Socket } from 'node:net';
import { createTransport } from 'nodemailer';
import { startTestGateway, type TestGateway } from '../testing/test-gateway';

/** A TCP connection that starts as a load balancer's would: a PROXY v1 line naming `client`. */
function throughBalancer(port: number, client: string, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => {
      socket.write(`PROXY TCP4 ${client} 127.0.0.1 40123 ${port}\r\n`);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

describe('SMTP gateway behind a load balancer (PROXY protocol, real PostgreSQL)', () => {
  let gw: TestGateway;
  let organisationId: string;

  beforeAll(async () => {
    // 127.0.0.1 plays the balancer; 127.0.0.2 is any other host.
    gw = await startTestGateway({ SEALPOST_GATEWAY_PROXY_FROM: '127.0.0.1' });
    organisationId = await gw.createOrganisation();
    await gw.access.addSenderRange(organisationId, '198.51.100.0/24', ['clinic-p.example']);
  });

  afterAll(async () => {
    await gw?.close();
  });

  function send(localAddress: string, client: string) {
    return createTransport({
      host: '127.0.0.1',
      port: gw.port,
      requireTLS: true,
      tls: { ca: [gw.ca.certPem], servername: 'localhost' },
      getSocket: (_options, callback) => {
        throughBalancer(gw.port, client, localAddress).then(
          (connection) => callback(null, { connection }),
          (error: Error) => callback(error),
        );
      },
    }).sendMail({
      from: 'doctor@clinic-p.example',
      to: 'patient@example.test',
      subject: 'Results',
      text: 'Please call.',
    });
  }

  it("takes the balancer's word: a sender range applies to the real client", async () => {
    const info = await send('127.0.0.1', '198.51.100.7');

    expect(info.response).toMatch(/^250 2\.6\.0 Message accepted as/);
    const [row] = await gw.dataSource.query<{ organisation_id: string }[]>(
      'SELECT organisation_id FROM messages WHERE id = $1',
      [/accepted as (\S+)/.exec(info.response)?.[1]],
    );
    expect(row.organisation_id).toBe(organisationId);
  });

  it('refuses a client in no range even when the balancer brought it', async () => {
    await expect(send('127.0.0.1', '203.0.113.9')).rejects.toMatchObject({ responseCode: 530 });
  });

  it('ignores a PROXY line from a host that is not a listed balancer', async () => {
    const sending = send('127.0.0.2', '198.51.100.7');

    await expect(sending).rejects.toMatchObject({ responseCode: 421 });
    const [{ count }] = await gw.dataSource.query<{ count: string }[]>(
      'SELECT count(*) FROM messages WHERE organisation_id = $1',
      [organisationId],
    );
    expect(count).toBe('1');
  });
});

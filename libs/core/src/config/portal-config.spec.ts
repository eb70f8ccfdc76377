import { randomBytes } from 'node:crypto';
import { BootError } from '../boot/boot-error';
import { type Env, loadConfig } from './load-config';

// A key in the environment, so no development key file is written.
const envWith = (overrides: Env = {}): Env => ({
  NODE_ENV: 'test',
  SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
  ...overrides,
});

function bootErrorOf(env: Env): BootError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof BootError) {
      return error;
    }
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig: portal', () => {
  it('defaults to links on localhost at PORT, valid 30 days, 30 tries per IP', () => {
    const config = loadConfig(envWith({ PORT: '8080' }));

    expect(config.portal).toEqual({
      publicUrl: 'http://localhost:8080',
      linkDays: 30,
      attemptsPerIp: 30,
    });
  });

  it('takes the public URL without its trailing slash, and the link lifetime', () => {
    const config = loadConfig(
      envWith({
        SEALPOST_PUBLIC_URL: 'https://mail.example.org/sealpost/',
        SEALPOST_PORTAL_LINK_DAYS: '7',
        SEALPOST_PORTAL_IP_LIMIT: '5',
      }),
    );

    expect(config.portal).toEqual({
      publicUrl: 'https://mail.example.org/sealpost',
      linkDays: 7,
      attemptsPerIp: 5,
    });
  });

  it('stops the boot naming each bad portal variable', () => {
    const error = bootErrorOf(
      envWith({
        SEALPOST_PUBLIC_URL: 'ftp://mail.example.org',
        SEALPOST_PORTAL_LINK_DAYS: '0',
        SEALPOST_PORTAL_IP_LIMIT: 'many',
      }),
    );

    expect(error.message).toContain('SEALPOST_PUBLIC_URL must start with http: or https:');
    expect(error.message).toContain('SEALPOST_PORTAL_LINK_DAYS must be a whole number from 1');
    expect(error.message).toContain('SEALPOST_PORTAL_IP_LIMIT must be a whole number from 1');
  });

  it('refuses a public URL with a query', () => {
    const error = bootErrorOf(envWith({ SEALPOST_PUBLIC_URL: 'https://mail.example.org/?a=1' }));

    expect(error.message).toContain('SEALPOST_PUBLIC_URL must be a base URL without ? or #');
  });
});

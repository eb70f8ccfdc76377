import { readFileSync } from 'node:fs';
import type { RelayConfig, TransportRoute } from './config.types';

/** Thrown by a parser; the loader prefixes the variable name. */
export class EnvValueError extends Error {}

export function parseInteger(raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) {
    throw new EnvValueError(`must be a whole number from ${min} to ${max}`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new EnvValueError(`must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function parseUrl(raw: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EnvValueError(`is not a URL; expected ${protocols.join(' or ')}//HOST:PORT/...`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new EnvValueError(`must start with ${protocols.join(' or ')}// (found ${url.protocol})`);
  }
  return url;
}

export function parseMasterKey(raw: string): Buffer {
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32) {
    throw new EnvValueError(
      'must be 32 random bytes in base64 (generate one with: openssl rand -base64 32)',
    );
  }
  return key;
}

export function parseRelay(raw: string): RelayConfig {
  const url = parseUrl(raw, ['smtp:', 'smtps:']);
  const implicitTls = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : implicitTls ? 465 : 587,
    implicitTls,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

const DOMAIN_PATTERN = /^\.?([a-z0-9-]+\.)*[a-z0-9-]+$/;

/**
 * Reads Postfix-style transport entries: `domain=host:port`, separated by commas, spaces or
 * new lines. The host may be bracketed (`[127.0.0.1]:2525`) as Postfix writes it. A domain
 * starting with a dot also matches its subdomains.
 */
export function parseTransportMap(raw: string): Map<string, TransportRoute> {
  const routes = new Map<string, TransportRoute>();
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    const match = /^([^=]+)=\[?([^\]\s]+?)\]?:(\d+)$/.exec(entry);
    const domain = match?.[1].toLowerCase();
    if (!match || !domain || !DOMAIN_PATTERN.test(domain)) {
      throw new EnvValueError(
        `entry "${entry}" is not DOMAIN=HOST:PORT (e.g. example.test=127.0.0.1:2525)`,
      );
    }
    routes.set(domain, { host: match[2], port: parseInteger(match[3], 1, 65535) });
  }
  return routes;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** A fully qualified domain name, lower-cased: e.g. a bounce domain mail is addressed to. */
export function parseDomain(raw: string): string {
  const domain = raw.trim().toLowerCase();
  if (!HOST_NAME.test(domain)) {
    throw new EnvValueError('must be a fully qualified domain name, e.g. bounces.example.org');
  }
  return domain;
}

/** A feature switch: `on` or `off` (also `true`/`false`, as operators often write). */
export function parseSwitch(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (value === 'on' || value === 'true') {
    return true;
  }
  if (value === 'off' || value === 'false') {
    return false;
  }
  throw new EnvValueError('must be on or off');
}

/** Splits a PEM bundle into its certificates, refusing a file that holds none. */
export function readCaFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new EnvValueError(`names ${path}, which cannot be read (${code})`);
  }
  const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!certificates) {
    throw new EnvValueError(`names ${path}, which holds no PEM certificate`);
  }
  return certificates;
}

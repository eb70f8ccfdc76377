import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { Injectable, Optional } from '@nestjs/common';
import {
  type AuditActor,
  type AuditEntry,
  AuditLog,
  ErrorCode,
  OPERATOR_ACTOR,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { TtlCache } from './ttl-cache';

export interface GatewayCredentialView {
  id: string;
  name: string;
  username: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedGatewayCredential extends GatewayCredentialView {
  /** Shown once, at creation; only its hash is stored. */
  password: string;
}

export interface SenderRangeView {
  id: string;
  cidr: string;
  senderDomains: string[];
  createdAt: string;
}

/** An organisation whose sender ranges hold a connecting address. */
export interface RangeMatch {
  organisationId: string;
  /** Empty: any sender domain. */
  senderDomains: string[];
}

export interface VerifiedCredential {
  organisationId: string;
  credentialId: string;
}

// Like API keys: a busy mail suite authenticates per connection, and a lookup each time would
// cost a query per message. A revocation reaches other gateway processes within this time.
const CACHE_MS = 10_000;
const CACHE_ENTRIES = 10_000;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

interface CredentialRow {
  id: string;
  name: string;
  username: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/**
 * Who may hand mail to the SMTP gateway for an organisation: SMTP AUTH credentials and
 * sender IP ranges. Managed per organisation, audited (fail closed), read by the gateway.
 */
@Injectable()
export class GatewayAccessService {
  private readonly verified = new TtlCache<string, VerifiedCredential>(CACHE_MS, CACHE_ENTRIES);

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async createCredential(
    organisationId: string,
    name: string,
    actor: AuditActor = OPERATOR_ACTOR,
  ): Promise<CreatedGatewayCredential> {
    const audit = requireAuditLog(this.audit);
    const username = `spg_${randomBytes(8).toString('hex')}`;
    const password = randomBytes(32).toString('base64url');
    const row = await this.dataSource.transaction(async (tx) => {
      const [created] = await tx.query<CredentialRow[]>(
        `INSERT INTO gateway_credentials (organisation_id, name, username, secret_hash)
         VALUES ($1, $2, $3, $4)
         RETURNING id, name, username, created_at, last_used_at, revoked_at`,
        [organisationId, name.trim().slice(0, 200) || 'unnamed', username, hashOf(password)],
      );
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'gateway_credential.created',
        target: credentialTarget(created.id),
      });
      return created;
    });
    return { ...credentialView(row), password };
  }

  async listCredentials(organisationId: string): Promise<GatewayCredentialView[]> {
    const rows = await this.dataSource.query<CredentialRow[]>(
      `SELECT id, name, username, created_at, last_used_at, revoked_at
         FROM gateway_credentials WHERE organisation_id = $1 ORDER BY created_at, id`,
      [organisationId],
    );
    return rows.map(credentialView);
  }

  async revokeCredential(
    organisationId: string,
    id: string,
    actor: AuditActor = OPERATOR_ACTOR,
  ): Promise<void> {
    await this.changeOne(
      `UPDATE gateway_credentials SET revoked_at = now()
        WHERE id = $1 AND organisation_id = $2 AND revoked_at IS NULL RETURNING id`,
      'No such gateway credential.',
      { organisationId, actor, action: 'gateway_credential.revoked', target: credentialTarget(id) },
    );
    this.verified.deleteWhere((entry) => entry.credentialId === id);
  }

  /** The organisation of a valid, unrevoked credential; null for anything else. */
  async verifyCredential(username: string, password: string): Promise<VerifiedCredential | null> {
    const cacheKey = hashOf(`${username}\n${password}`).toString('base64');
    const cached = this.verified.get(cacheKey);
    if (cached) {
      return cached;
    }
    const [row] = await this.dataSource.query<
      { id: string; organisation_id: string; secret_hash: Buffer }[]
    >(
      `SELECT id, organisation_id, secret_hash FROM gateway_credentials
        WHERE username = $1 AND revoked_at IS NULL`,
      [username],
    );
    if (!row || !timingSafeEqual(row.secret_hash, hashOf(password))) {
      return null;
    }
    await this.dataSource.query(
      'UPDATE gateway_credentials SET last_used_at = now() WHERE id = $1',
      [row.id],
    );
    const verified = { organisationId: row.organisation_id, credentialId: row.id };
    this.verified.set(cacheKey, verified);
    return verified;
  }

  async addSenderRange(
    organisationId: string,
    cidr: string,
    senderDomains: string[] = [],
    actor: AuditActor = OPERATOR_ACTOR,
  ): Promise<SenderRangeView> {
    const audit = requireAuditLog(this.audit);
    const range = parseCidr(cidr);
    const domains = [...new Set(senderDomains.map((d) => d.trim().toLowerCase()))];
    const invalid = domains.findIndex((domain) => !DOMAIN.test(domain));
    if (invalid >= 0) {
      throw new SealpostError(ErrorCode.ValidationFailed, 'A sender domain is not valid.', [
        { path: `senderDomains[${invalid}]`, message: 'is not a domain name' },
      ]);
    }
    const row = await this.dataSource.transaction(async (tx) => {
      const [created] = await tx.query<RangeRow[]>(
        `INSERT INTO gateway_sender_ranges (organisation_id, cidr, sender_domains)
         VALUES ($1, network($2::inet), $3)
         ON CONFLICT (organisation_id, cidr) DO NOTHING
         RETURNING id, cidr::text AS cidr, sender_domains, created_at`,
        [organisationId, range, domains],
      );
      if (!created) {
        throw new SealpostError(ErrorCode.AlreadyExists, 'This range is already configured.');
      }
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'gateway_sender_range.added',
        target: rangeTarget(created.id),
        details: { cidr: created.cidr, senderDomains: domains.length },
      });
      return created;
    });
    return rangeView(row);
  }

  async listSenderRanges(organisationId: string): Promise<SenderRangeView[]> {
    const rows = await this.dataSource.query<RangeRow[]>(
      `SELECT id, cidr::text AS cidr, sender_domains, created_at FROM gateway_sender_ranges
        WHERE organisation_id = $1 ORDER BY created_at, id`,
      [organisationId],
    );
    return rows.map(rangeView);
  }

  async removeSenderRange(
    organisationId: string,
    id: string,
    actor: AuditActor = OPERATOR_ACTOR,
  ): Promise<void> {
    await this.changeOne(
      `DELETE FROM gateway_sender_ranges WHERE id = $1 AND organisation_id = $2 RETURNING id`,
      'No such sender range.',
      { organisationId, actor, action: 'gateway_sender_range.removed', target: rangeTarget(id) },
    );
  }

  /**
   * Every organisation with a range holding `address` (the connecting client's IP). Not
   * cached: one indexed query per transaction, and a removed range stops working at once.
   */
  async rangesHolding(address: string): Promise<RangeMatch[]> {
    const rows = isIP(address)
      ? await this.dataSource.query<{ organisation_id: string; sender_domains: string[] }[]>(
          `SELECT organisation_id, sender_domains FROM gateway_sender_ranges
            WHERE cidr >>= $1::inet`,
          [address],
        )
      : [];
    return rows.map((row) => ({
      organisationId: row.organisation_id,
      senderDomains: row.sender_domains,
    }));
  }

  /**
   * One row of the organisation changed by `statement` (`$1` its id, `$2` the organisation,
   * RETURNING id) and its audit record, in one transaction; no such row is "not found".
   */
  private async changeOne(statement: string, notFound: string, entry: AuditEntry): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const [rows] = await tx.query<[unknown[], number]>(statement, [
        entry.target.id,
        entry.organisationId,
      ]);
      if (!rows.length) {
        throw new SealpostError(ErrorCode.NotFound, notFound);
      }
      await audit.append(tx, entry);
    });
  }
}

interface RangeRow {
  id: string;
  cidr: string;
  sender_domains: string[];
  created_at: Date;
}

const credentialTarget = (id: string) => ({ type: 'gateway_credential', id });
const rangeTarget = (id: string) => ({ type: 'gateway_sender_range', id });

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** `address/prefix`, or a single address; refused with a reason otherwise. */
export function parseCidr(input: string): string {
  const [address, prefix, ...rest] = input.trim().split('/');
  const family = isIP(address ?? '');
  const bits = family === 6 ? 128 : 32;
  const length = prefix === undefined ? bits : Number(prefix);
  if (
    !family ||
    rest.length ||
    (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) ||
    length > bits
  ) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'The sender range is not valid.', [
      { path: 'cidr', message: 'must be an IPv4 or IPv6 address or CIDR range, e.g. 10.0.0.0/24' },
    ]);
  }
  return `${address}/${length}`;
}

function credentialView(row: CredentialRow): GatewayCredentialView {
  return {
    id: row.id,
    name: row.name,
    username: row.username,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
  };
}

function rangeView(row: RangeRow): SenderRangeView {
  return {
    id: row.id,
    cidr: row.cidr,
    senderDomains: row.sender_domains,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

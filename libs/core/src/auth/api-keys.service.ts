import { timingSafeEqual } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { DataSource, IsNull, type Repository } from 'typeorm';
import { type AuditActor, AuditLog, requireAuditLog } from '../audit/audit-log.port';
import { ErrorCode } from '../errors/error-code';
import { SealpostError } from '../errors/sealpost-error';
import { ApiKey } from './api-key.entity';
import { hashSecret, newApiKeyToken, parseApiKeyToken } from './api-key-token';
import { type AuthContext } from './auth-context';
import { isScope, type Scope } from './scopes';

export interface CreatedApiKey {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  /** Shown once, at creation; only its hash is stored. */
  token: string;
}

// Writing last_used_at on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;
// A verified key is remembered briefly so a busy client costs no lookup per request. A key
// revoked through another process stops working within this time; this process forgets at once.
const AUTH_CACHE_MS = 10_000;
const AUTH_CACHE_ENTRIES = 10_000;

/** Whoever runs Sealpost's own tools against the database (the CLI, setup scripts). */
export const OPERATOR_ACTOR: AuditActor = { type: 'system', id: 'operator' };

@Injectable()
export class ApiKeysService {
  private readonly keys: Repository<ApiKey>;
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly verified = new Map<string, { auth: AuthContext; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {
    this.keys = dataSource.getRepository(ApiKey);
  }

  async create(
    organisationId: string,
    name: string,
    scopes: string[],
    actor: AuditActor = OPERATOR_ACTOR,
  ): Promise<CreatedApiKey> {
    const invalid = scopes.filter((scope) => !isScope(scope));
    if (!scopes.length || invalid.length) {
      throw new SealpostError(
        ErrorCode.ValidationFailed,
        'Scopes must be a non-empty list of known scopes; ' +
          `unknown: ${invalid.join(', ') || 'none'}.`,
      );
    }
    const audit = requireAuditLog(this.audit);
    const { prefix, secret, token } = newApiKeyToken();
    const saved = await this.dataSource.transaction(async (tx) => {
      const key = await tx.getRepository(ApiKey).save(
        this.keys.create({
          organisationId,
          name: name.trim() || 'unnamed',
          prefix,
          secretHash: hashSecret(secret),
          scopes: [...new Set(scopes)] as Scope[],
        }),
      );
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'api_key.created',
        target: { type: 'api_key', id: key.id },
        details: { scopes: key.scopes.join(' ') },
      });
      return key;
    });
    return {
      id: saved.id,
      name: saved.name,
      scopes: saved.scopes,
      createdAt: saved.createdAt,
      token,
    };
  }

  async authenticate(token: string): Promise<AuthContext | null> {
    const parsed = parseApiKeyToken(token);
    if (!parsed) {
      return null;
    }
    const cacheKey = hashSecret(token).toString('base64');
    const cached = this.verified.get(cacheKey);
    if (cached && cached.until > Date.now()) {
      return cached.auth;
    }
    const key = await this.keys.findOneBy({ prefix: parsed.prefix, revokedAt: IsNull() });
    if (!key || !timingSafeEqual(key.secretHash, hashSecret(parsed.secret))) {
      return null;
    }
    await this.touch(key.id);
    const auth = { organisationId: key.organisationId, apiKeyId: key.id, scopes: key.scopes };
    if (this.verified.size >= AUTH_CACHE_ENTRIES) {
      this.verified.clear();
    }
    this.verified.set(cacheKey, { auth, until: Date.now() + AUTH_CACHE_MS });
    return auth;
  }

  async list(organisationId: string): Promise<ApiKey[]> {
    return this.keys.find({ where: { organisationId }, order: { createdAt: 'ASC' } });
  }

  async revoke(
    organisationId: string,
    id: string,
    actor: AuditActor = OPERATOR_ACTOR,
  ): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const result = await tx
        .getRepository(ApiKey)
        .update({ id, organisationId, revokedAt: IsNull() }, { revokedAt: new Date() });
      if (!result.affected) {
        throw new SealpostError(ErrorCode.NotFound, 'No such API key.');
      }
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'api_key.revoked',
        target: { type: 'api_key', id },
      });
    });
    for (const [cacheKey, entry] of this.verified) {
      if (entry.auth.apiKeyId === id) {
        this.verified.delete(cacheKey);
      }
    }
  }

  private async touch(id: string): Promise<void> {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) {
      return;
    }
    this.lastUsedWritten.set(id, now);
    await this.keys.update({ id }, { lastUsedAt: new Date(now) });
  }
}

import { Injectable, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  type AuthContext,
  AuditLog,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { DEFAULT_POLICY, type EncryptionPolicy } from '../policy/encryption-policy';
import { validatePolicy } from '../policy/encryption-policy.validator';

// Delivery reads the policy for every recipient; a few seconds of staleness after an admin
// change is the price of not querying it each time. This process forgets at once on put().
const CACHE_MS = 5_000;

/** Each organisation's encryption policy; the default until an admin stores one. */
@Injectable()
export class PolicyService {
  private readonly cache = new Map<string, { policy: EncryptionPolicy; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async forOrganisation(organisationId: string): Promise<EncryptionPolicy> {
    const cached = this.cache.get(organisationId);
    if (cached && cached.until > Date.now()) {
      return cached.policy;
    }
    const policy = await this.load(organisationId);
    this.cache.set(organisationId, { policy, until: Date.now() + CACHE_MS });
    return policy;
  }

  private async load(organisationId: string): Promise<EncryptionPolicy> {
    const [row] = await this.dataSource.query<{ policy: unknown }[]>(
      `SELECT policy FROM encryption_policies WHERE organisation_id = $1`,
      [organisationId],
    );
    if (!row) {
      return DEFAULT_POLICY;
    }
    const checked = validatePolicy(row.policy);
    // A stored policy was valid when written; if a later release tightened the rules, the
    // default (protect everything) is the safe reading until an admin saves it again.
    return checked.ok ? checked.policy : DEFAULT_POLICY;
  }

  get(caller: AuthContext): Promise<EncryptionPolicy> {
    return this.forOrganisation(caller.organisationId);
  }

  /** Stores a policy, or refuses it with every problem listed. */
  async put(caller: AuthContext, input: unknown): Promise<EncryptionPolicy> {
    const checked = validatePolicy(input);
    if (!checked.ok) {
      throw new SealpostError(ErrorCode.ValidationFailed, 'The policy is not valid.', [
        ...checked.problems,
      ]);
    }
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO encryption_policies (organisation_id, policy) VALUES ($1, $2)
         ON CONFLICT (organisation_id) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`,
        [caller.organisationId, checked.policy],
      );
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'policy.changed',
        target: { type: 'encryption_policy', id: caller.organisationId },
      });
    });
    this.cache.delete(caller.organisationId);
    return checked.policy;
  }
}

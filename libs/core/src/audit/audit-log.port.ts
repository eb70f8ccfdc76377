import { type EntityManager } from 'typeorm';
import { type AuthContext } from '../auth/auth-context';
import { ErrorCode } from '../errors/error-code';
import { SealpostError } from '../errors/sealpost-error';

/**
 * Who acted: an API key, a user, a user in a break-glass session (so every action of such a
 * session stands out in the chain), or Sealpost itself (a job, the delivery pipeline).
 */
export const AUDIT_ACTOR_TYPES = ['api_key', 'user', 'break_glass_user', 'system'] as const;

export interface AuditActor {
  type: (typeof AUDIT_ACTOR_TYPES)[number];
  id: string;
}

export type AuditOutcome = 'success' | 'failure';

/**
 * Ids, counts, codes and flags only: never addresses, names, subjects, bodies or key
 * material. Flat, so its canonical form (see libs/audit) is simple to restate.
 */
export type AuditDetails = Record<string, string | number | boolean | null>;

/** One thing that happened, as a caller hands it to the audit log. */
export interface AuditEntry {
  organisationId: string;
  actor: AuditActor;
  /** `<noun>.<past-tense verb>`, e.g. `api_key.created`. */
  action: string;
  target: { type: string; id: string };
  outcome?: AuditOutcome;
  details?: AuditDetails;
}

/**
 * The port every feature writes its audit records through. `append` runs inside the caller's
 * transaction, so the action and its record commit together or not at all (fail closed).
 * Bound by libs/audit; a process that did not bind it refuses the action instead of skipping
 * the record.
 */
export abstract class AuditLog {
  abstract append(tx: EntityManager, entry: AuditEntry): Promise<void>;
}

/**
 * The caller as the audit log names it: the signed-in user, else the API key, else the
 * operator at the command line (the CLI acts without a credential of its own).
 */
export function apiKeyActor(caller: AuthContext): AuditActor {
  if (caller.user) {
    return { type: caller.user.breakGlass ? 'break_glass_user' : 'user', id: caller.user.id };
  }
  if (caller.addin) {
    return { type: 'user', id: caller.addin.userId };
  }
  return caller.apiKeyId ? { type: 'api_key', id: caller.apiKeyId } : { type: 'system', id: 'cli' };
}

/**
 * Services inject the port as optional so that processes which never write (delivery tests,
 * read-only tools) need not build the audit module; a write without it fails here.
 */
export function requireAuditLog(audit: AuditLog | null | undefined): AuditLog {
  if (!audit) {
    throw new SealpostError(
      ErrorCode.ServiceUnavailable,
      'The audit log is not available, so this change was not made.',
    );
  }
  return audit;
}

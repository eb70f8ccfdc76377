import { Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog, requireAuditLog } from '../audit/audit-log.port';
import { EnvelopeCipher } from '../crypto/envelope-cipher';
import { ErrorCode } from '../errors/error-code';
import { SealpostError } from '../errors/sealpost-error';
import { Clock } from '../time/clock.port';
import { hashPassword } from './password-hasher';
import { totpContext, type UpdatedRows, type UserRow, type UserView, viewOf } from './user-records';
import { matchTotp, newTotpSecret, type TotpEnrolment } from './totp';
import { tokenHash } from './user-tokens';

// NIST SP 800-63B: at least 8; administrators of PHI get a longer floor, and no other rules.
const PASSWORD_MIN = 12;
const PASSWORD_MAX = 200;

/**
 * An invited person sets a password and registers an authenticator app, then proves it with a
 * first code. Only then is the account active: nobody signs in with a password alone.
 */
@Injectable()
export class UserEnrolmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  /** May be repeated until confirmed; each call issues a fresh TOTP secret. */
  async begin(inviteToken: string, password: string): Promise<TotpEnrolment> {
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    return this.dataSource.transaction(async (tx) => {
      const user = await this.invited(tx, inviteToken);
      const enrolment = newTotpSecret(user.email);
      const sealed = this.cipher.seal(
        Buffer.from(enrolment.secret, 'utf8'),
        totpContext(user.organisation_id, user.id),
      );
      await tx.query(
        `UPDATE users SET password_hash = $2, totp_ciphertext = $3, totp_wrapped_key = $4,
                totp_key_id = $5, updated_at = $6 WHERE id = $1`,
        [user.id, passwordHash, sealed.ciphertext, sealed.wrappedKey, sealed.keyId, this.now()],
      );
      return enrolment;
    });
  }

  async confirm(inviteToken: string, code: string): Promise<UserView> {
    const audit = requireAuditLog(this.audit);
    return this.dataSource.transaction(async (tx) => {
      const user = await this.invited(tx, inviteToken);
      if (!user.totp_ciphertext || !user.totp_wrapped_key || !user.totp_key_id) {
        throw new SealpostError(ErrorCode.InvalidState, 'Set a password first.');
      }
      const secret = this.cipher
        .open(
          {
            ciphertext: user.totp_ciphertext,
            wrappedKey: user.totp_wrapped_key,
            keyId: user.totp_key_id,
          },
          totpContext(user.organisation_id, user.id),
        )
        .toString('utf8');
      const step = matchTotp(secret, code, this.now());
      if (step === null) {
        throw new SealpostError(
          ErrorCode.ValidationFailed,
          'That code does not match; check the authenticator app and the clock.',
          [{ path: 'code', message: 'invalid' }],
        );
      }
      const [[row]] = await tx.query<UpdatedRows>(
        `UPDATE users SET status = 'active', invite_hash = NULL, invite_expires_at = NULL,
                totp_last_step = $2, updated_at = $3 WHERE id = $1 RETURNING *`,
        [user.id, step, this.now()],
      );
      await audit.append(tx, {
        organisationId: user.organisation_id,
        actor: { type: 'user', id: user.id },
        action: 'user.enrolled',
        target: { type: 'user', id: user.id },
      });
      return viewOf(row, this.now());
    });
  }

  private async invited(tx: EntityManager, inviteToken: string): Promise<UserRow> {
    const [user] = await tx.query<UserRow[]>(
      `SELECT * FROM users WHERE invite_hash = $1 AND status = 'invited' FOR UPDATE`,
      [tokenHash(inviteToken)],
    );
    if (!user || !user.invite_expires_at || user.invite_expires_at <= this.now()) {
      throw new SealpostError(
        ErrorCode.Unauthenticated,
        'This invitation is not valid or has expired; ask an administrator for a new one.',
      );
    }
    return user;
  }

  private now(): Date {
    return this.clock.now();
  }
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new SealpostError(
      ErrorCode.ValidationFailed,
      `A password has ${PASSWORD_MIN}-${PASSWORD_MAX} characters.`,
      [{ path: 'password', message: 'length' }],
    );
  }
}

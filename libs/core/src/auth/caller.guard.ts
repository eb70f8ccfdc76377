import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '../errors/error-code';
import { SealpostError } from '../errors/sealpost-error';
import { UserSessionsService } from '../users/user-sessions.service';
import { AddinTokensService } from '../users/addin-tokens.service';
import { ADDIN_TOKEN_PREFIX, SESSION_PREFIX } from '../users/user-tokens';
import {
  type AuthenticatedRequest,
  PUBLIC_ROUTE,
  REQUIRED_SCOPE,
  SIGNED_IN_ROUTE,
} from './access.decorators';
import { ApiKeysService } from './api-keys.service';
import { type AuthContext } from './auth-context';
import { grants, type Scope } from './scopes';

/**
 * Global guard for machines (API keys, `sp_...`) and people (session tokens, `sps_...`). A
 * route that declares neither a scope, @SignedInRoute() nor @PublicRoute() is refused, so a
 * forgotten decorator fails closed instead of exposing the route.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  private readonly logger = new Logger(CallerGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: UserSessionsService,
    private readonly addinTokens: AddinTokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    const signedIn = this.reflector.getAllAndOverride<boolean>(SIGNED_IN_ROUTE, targets);
    if (!required && !signedIn) {
      this.logger.error({ handler: context.getHandler().name }, 'route declares no scope');
      throw new SealpostError(ErrorCode.InsufficientScope, 'This route is not open to callers.');
    }

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const auth = await this.authenticate(request.headers.authorization ?? '');
    if (!auth) {
      throw new SealpostError(
        ErrorCode.Unauthenticated,
        'Send a valid API key (`Authorization: Bearer sp_...`) or session token (`sps_...`).',
      );
    }
    if (signedIn && !auth.user) {
      throw new SealpostError(ErrorCode.InsufficientScope, 'This route is for signed-in users.');
    }
    if (required && !grants(auth.scopes, required)) {
      const holder = auth.user
        ? `The ${auth.user.role} role`
        : auth.addin
          ? 'An add-in token'
          : 'This API key';
      throw new SealpostError(
        ErrorCode.InsufficientScope,
        `${holder} lacks the ${required} scope.`,
      );
    }
    request.auth = auth;
    return true;
  }

  private async authenticate(header: string): Promise<AuthContext | null> {
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (!token) {
      return null;
    }
    if (token.startsWith(ADDIN_TOKEN_PREFIX)) {
      return this.addinTokens.authenticate(token);
    }
    return token.startsWith(SESSION_PREFIX)
      ? this.sessions.authenticate(token)
      : this.apiKeys.authenticate(token);
  }
}

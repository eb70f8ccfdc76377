import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '../errors/error-code';
import { SealpostError } from '../errors/sealpost-error';
import { type AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_SCOPE } from './access.decorators';
import { ApiKeysService } from './api-keys.service';
import { grants, type Scope } from './scopes';

/**
 * Global guard. A route that declares neither a scope nor @PublicRoute() is refused, so a
 * forgotten decorator fails closed instead of exposing the route.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    if (!required) {
      this.logger.error({ handler: context.getHandler().name }, 'route declares no scope');
      throw new SealpostError(ErrorCode.InsufficientScope, 'This route is not open to API keys.');
    }

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    const auth = token ? await this.apiKeys.authenticate(token) : null;
    if (!auth) {
      throw new SealpostError(
        ErrorCode.Unauthenticated,
        'Send a valid API key as `Authorization: Bearer sp_...`.',
      );
    }
    if (!grants(auth.scopes, required)) {
      throw new SealpostError(
        ErrorCode.InsufficientScope,
        `This API key lacks the ${required} scope.`,
      );
    }
    request.auth = auth;
    return true;
  }
}

import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { type AuthContext } from './auth-context';
import { type Scope } from './scopes';

export const REQUIRED_SCOPE = 'sealpost:required-scope';
export const PUBLIC_ROUTE = 'sealpost:public-route';

/** The scope a route needs. Every route declares one, or is marked @PublicRoute(). */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

export const SIGNED_IN_ROUTE = 'sealpost:signed-in-route';

/** A route for any signed-in person whatever the role (their own session), not API keys. */
export const SignedInRoute = () => SetMetadata(SIGNED_IN_ROUTE, true);

/** A route anyone may call (health, API documentation). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

export type AuthenticatedRequest = Request & { auth?: AuthContext };

/** The caller's AuthContext, set by CallerGuard. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.auth) {
    throw new Error('Caller used on a route without authentication');
  }
  return request.auth;
});

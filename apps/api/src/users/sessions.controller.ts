import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  type AuthContext,
  Caller,
  PublicRoute,
  SignedInRoute,
  type StartedSession,
  UserEnrolmentService,
  UserSessionsService,
  type UserView,
  UsersService,
} from '@sealpost/core';
import { BeginEnrolmentDto, ConfirmEnrolmentDto, SignInDto } from './users.dto';

/** Enrolment from an invitation, signing in with password and TOTP, and signing out. */
@ApiTags('sessions')
@Controller('v1/auth')
export class SessionsController {
  constructor(
    private readonly enrolment: UserEnrolmentService,
    private readonly sessions: UserSessionsService,
    private readonly users: UsersService,
  ) {}

  /** Sets the password and returns the TOTP secret and its otpauth:// URI for the app. */
  @Post('enrol')
  @HttpCode(200)
  @PublicRoute()
  async beginEnrolment(@Body() dto: BeginEnrolmentDto): Promise<{ secret: string; uri: string }> {
    return this.enrolment.begin(dto.inviteToken, dto.password);
  }

  /** The first code from the app activates the account. */
  @Post('enrol/confirm')
  @HttpCode(200)
  @PublicRoute()
  confirmEnrolment(@Body() dto: ConfirmEnrolmentDto): Promise<UserView> {
    return this.enrolment.confirm(dto.inviteToken, dto.code);
  }

  @Post('sessions')
  @PublicRoute()
  signIn(@Body() dto: SignInDto): Promise<StartedSession> {
    return this.sessions.signIn(dto);
  }

  @Get('session')
  @ApiBearerAuth()
  @SignedInRoute()
  async current(@Caller() caller: AuthContext) {
    const user = await this.users.get(caller, caller.user?.id ?? '');
    return {
      user,
      scopes: caller.scopes,
      sessionId: caller.user?.sessionId,
      breakGlass: caller.user?.breakGlass,
    };
  }

  @Post('session/end')
  @HttpCode(204)
  @ApiBearerAuth()
  @SignedInRoute()
  async signOut(@Caller() caller: AuthContext): Promise<void> {
    await this.sessions.signOut(caller);
  }
}

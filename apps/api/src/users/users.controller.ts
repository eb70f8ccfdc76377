import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  type AuthContext,
  Caller,
  type InvitedUser,
  RequireScope,
  UsersService,
  type UserView,
} from '@sealpost/core';
import { InviteUserDto, UpdateUserDto } from './users.dto';

/** The people who sign in to the organisation, managed by its owners and admins. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** The invitation token is in this response only. */
  @Post()
  @RequireScope('users:manage')
  invite(@Caller() caller: AuthContext, @Body() dto: InviteUserDto): Promise<InvitedUser> {
    return this.users.invite(caller, dto);
  }

  @Get()
  @RequireScope('users:manage')
  async list(@Caller() caller: AuthContext): Promise<{ data: UserView[] }> {
    return { data: await this.users.list(caller) };
  }

  @Get(':id')
  @RequireScope('users:manage')
  get(@Caller() caller: AuthContext, @Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return this.users.get(caller, id);
  }

  @Patch(':id')
  @RequireScope('users:manage')
  update(
    @Caller() caller: AuthContext,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserView> {
    return this.users.update(caller, id, dto);
  }

  /** Disables the account and ends its sessions; the row and its audit trail stay. */
  @Post(':id/disable')
  @HttpCode(200)
  @RequireScope('users:manage')
  disable(
    @Caller() caller: AuthContext,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<UserView> {
    return this.users.disable(caller, id);
  }

  @Post(':id/reset-credentials')
  @HttpCode(200)
  @RequireScope('users:manage')
  resetCredentials(
    @Caller() caller: AuthContext,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<InvitedUser> {
    return this.users.resetCredentials(caller, id);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @RequireScope('users:manage')
  unlock(@Caller() caller: AuthContext, @Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return this.users.unlock(caller, id);
  }
}

import { USER_ROLES, needsOwnerToGrant, scopesOfRole } from './user-role';

describe('user roles', () => {
  it('gives a compliance officer only reading scopes', () => {
    const scopes = scopesOfRole('compliance');

    expect(scopes.length).toBeGreaterThan(0);
    expect(scopes.every((scope) => scope.endsWith(':read'))).toBe(true);
  });

  it('gives a sender no administration', () => {
    expect(scopesOfRole('sender')).not.toContain('admin');
    expect(scopesOfRole('sender')).toContain('messages:send');
  });

  it('reserves owner and break-glass to owners, and only those', () => {
    const reserved = USER_ROLES.filter((role) => needsOwnerToGrant(role));

    expect(reserved).toEqual(['owner', 'break_glass']);
  });
});

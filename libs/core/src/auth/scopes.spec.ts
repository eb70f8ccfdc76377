import { grants, isScope, type Scope, SCOPES } from './scopes';

describe('isScope', () => {
  it.each([...SCOPES])('accepts %s', (scope) => {
    expect(isScope(scope)).toBe(true);
  });

  it.each(['', 'messages', 'messages:*', 'Admin', 'messages:send ', 'root'])(
    'refuses %p',
    (value) => {
      expect(isScope(value)).toBe(false);
    },
  );
});

describe('grants', () => {
  it('grants a scope that is held', () => {
    expect(grants(['messages:read'], 'messages:read')).toBe(true);
  });

  it('refuses a scope that is not held', () => {
    expect(grants(['messages:read'], 'messages:send')).toBe(false);
    expect(grants(['messages:send', 'messages:read'], 'api-keys:manage')).toBe(false);
  });

  it('refuses everything when no scope is held', () => {
    for (const scope of SCOPES) {
      expect(grants([], scope)).toBe(false);
    }
  });

  it('lets admin grant every scope', () => {
    for (const scope of SCOPES) {
      expect(grants(['admin'], scope)).toBe(true);
    }
  });

  it('does not treat a non-admin scope as granting admin', () => {
    const allButAdmin: Scope[] = SCOPES.filter((scope) => scope !== 'admin');

    expect(grants(allButAdmin, 'admin')).toBe(false);
  });
});

// Unit specs (beside the code) and integration specs (*.int-spec.ts, real PostgreSQL and
// Redis). End-to-end suites have their own config under e2e/.
const { swcJest, moduleNameMapper } = require('./jest.shared');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/connectors', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts'],
  transform: { '^.+\\.ts$': swcJest },
  moduleNameMapper,
  testTimeout: 30000,
};

// End-to-end suites: they start the built apps (dist/) as processes and talk to them over
// HTTP and SMTP, so `npm run build` must run first. One suite at a time: some restart Redis.
const { swcJest, moduleNameMapper } = require('../jest.shared');

module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  roots: ['<rootDir>/e2e'],
  testMatch: ['**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': swcJest },
  moduleNameMapper,
  testTimeout: 180000,
  maxWorkers: 1,
  // fetch keeps idle keep-alive sockets to the stopped apps open for a while; they hold no
  // state worth waiting for.
  forceExit: true,
};

// Shared by the unit/integration and e2e configs: SWC with decorator metadata (Nest's
// dependency injection needs it) and the workspace path aliases.
const { compilerOptions } = require('./tsconfig.base.json');

const swcJest = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    `<rootDir>/${target}`,
  ]),
);

module.exports = { swcJest, moduleNameMapper };

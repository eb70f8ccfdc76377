import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// The one-way arrows of DESIGN.md: apps -> connectors -> libs -> core.
const boundaries = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:connector', 'type:lib', 'type:core'],
  },
  { sourceTag: 'type:connector', onlyDependOnLibsWithTags: ['type:lib', 'type:core'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:core'] },
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'] },
  {
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: ['type:connector', 'type:lib', 'type:core', 'type:testing'],
  },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:core'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:core', 'type:testing'] },
];

// Tests of any project may also use the test peers (SMTP sinks, test CA).
const testBoundaries = boundaries.map((rule) => ({
  ...rule,
  onlyDependOnLibsWithTags: [...new Set([...rule.onlyDependOnLibsWithTags, 'type:testing'])],
}));

const boundaryRule = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints },
];

const testFiles = [
  '**/*.spec.ts',
  '**/*-spec.ts',
  'e2e/**/*.ts',
  '**/testing/**/*.ts',
  'tools/bench/**/*.ts',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.nx/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': boundaryRule(boundaries),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': boundaryRule(testBoundaries),
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
  // After eslint-config-prettier, which turns max-len off: prettier cannot break strings.
  {
    files: ['**/*.ts'],
    rules: { 'max-len': ['error', { code: 100, ignoreUrls: true }] },
  },
);

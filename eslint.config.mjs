// ESLint flat config: typescript-eslint's recommended rules, type-checked for the TypeScript sources,
// with formatting left to Prettier (eslint-config-prettier turns the clashing rules off).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import typescriptDiagnostics from './build/eslint-typescript-diagnostics.cjs';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'coverage/', 'test-output/', 'local-tenant/test/fixtures/', 'bench/report.json'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-checked (recommendedTypeChecked): a promise nobody awaits or handles (no-floating-promises) is how an email
    // goes unsent without a trace. The compiler's own errors come from the same program (tsc/diagnostics): one program.
    // The .js/.cjs/.mjs files keep the untyped rules above.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { tsc: { rules: { diagnostics: typescriptDiagnostics } } },
    rules: {
      'tsc/diagnostics': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // @types/jest types the asymmetric matchers (expect.any, objectContaining, stringMatching...) `any`, to stand in for
    // any value: in tests these two rules flag only them.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Actions load SDK modules lazily with require() so the fast path of a login loads none.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  prettier,
);

// Lint gate: typescript-eslint's type-aware rules with promise safety; warnings fail CI
// (`--max-warnings 0`). STYLE.md P2 forbids module-path mocking of our own code, P15 a size budget.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'build-*/**', '.cache/**', 'node_modules/**', 'native/**', '.tap/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines': ['error', { max: 700, skipBlankLines: true, skipComments: true }],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.property.name='mockRequire']", message: 'Inject dependencies instead of mocking modules (STYLE.md P2).' },
        { selector: "CallExpression[callee.property.name='mockImport']", message: 'Inject dependencies instead of mocking modules (STYLE.md P2).' },
        { selector: "CallExpression[callee.object.name='console'][callee.property.name=/^(log|info|debug)$/]", message: 'Use the injected logger (src/log.ts); the CLI writes through its own output helpers.' },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.property.name='mockRequire']", message: 'Inject dependencies instead of mocking modules (STYLE.md P2).' },
        { selector: "CallExpression[callee.property.name='mockImport']", message: 'Inject dependencies instead of mocking modules (STYLE.md P2).' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // tap tracks every subtest itself; `t.test(...)` promises need not be awaited.
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/require-await': 'off',
      // `t.teardown(() => rmSync(dir))` is the idiom; the rule only adds braces.
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly' } } },
);

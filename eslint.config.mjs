// Lint rules for the whole workspace. The module-boundary rule is what keeps services apart:
// a service may import shared libs and its own code, never another service's code.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const services = ['gateway', 'orchestrator', 'node-runner', 'rag', 'compliance'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.weft/**', '.nx/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The web console (apps/console, .tsx) is type-checked against its own tsconfig, found by the project service.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            ...services.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: ['scope:shared', `scope:${s}`] })),
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
      // Prettier (npm run lint) wraps code at 140; this holds comments to the same width. Long strings, URLs
      // and regular expressions stay whole.
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|describe|test)$/]",
          message: 'No .only in the main branch.',
        },
        {
          selector: "CallExpression[callee.property.name='skip'][callee.object.name=/^(it|describe|test)$/]",
          message: 'No skipped tests in the main branch.',
        },
      ],
    },
  },
  {
    // Services and libs reach shared code only through its alias; whole-system tests under test/ may
    // import each service's schema definitions directly.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../*', '**/apps/*/src/**', '**/libs/*/src/**'], message: 'Import shared code through its @weft/* alias.' },
          ],
        },
      ],
    },
  },
  {
    // A node type's executor sits one folder deeper (src/nodes/<type>/), where `../../` is still its own
    // service's src; only a path that climbs out of src is refused there.
    files: ['apps/*/src/*/*/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../../*', '**/apps/*/src/**', '**/libs/*/src/**'], message: 'Import shared code through its @weft/* alias.' },
          ],
        },
      ],
    },
  },
  {
    // Only the config lib reads the environment; everything else receives typed config.
    files: ['apps/**/*.ts', 'libs/!(config|testing)/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through @weft/config.' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
  },
);

// Lint rules, above all the layering of docs/architecture.md: shared is pure, core never imports
// Electron, the renderer reaches the backend only through shared's contract.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
  'sqlite',
];
const nodeImports = [
  { group: ['node:*'], message: 'This layer must not use Node APIs.' },
  ...NODE_BUILTINS.map((name) => ({ group: [name], message: 'This layer must not use Node APIs.' })),
];
const electronImport = { group: ['electron', 'electron/*'], message: 'Only electron/main and electron/preload may import Electron.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test-results/**', 'playwright-report/**', 'tests/controlplane/bin/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a union of string literals (enums are not erasable).' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...nodeImports,
            electronImport,
            { group: ['react', 'react-dom', '@mantine/*'], message: 'shared is pure TypeScript.' },
            { group: ['**/electron/**', '**/renderer/**'], message: 'shared may not import from electron/ or renderer/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'require', '__dirname'],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronImport,
            {
              group: ['**/main/**', '**/preload/**', '**/server/**', '**/cli/**', '**/renderer/**'],
              message: 'core may not import hosts (main, preload, server, cli) or the renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/server/**/*.ts', 'electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [electronImport, { group: ['**/renderer/**', '**/electron/main/**', '**/preload/**'], message: 'Hosts depend on core and shared only.' }] },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-hooks/set-state-in-effect': 'off',
      'react-hooks/refs': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...nodeImports,
            electronImport,
            { group: ['**/electron/**'], message: 'The renderer talks to the backend only through shared/contract and its Transport.' },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['renderer/vite.config.ts', 'renderer/postcss.config.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': 'off' },
  },
);

// One ESLint config for the whole repository: the services' workspaces (packages/*, subgraphs/*, gateway, tools,
// security, bench) and the app (mobile/, its own npm project). Type-aware rules read each file's own tsconfig through
// typescript-eslint's project service (the root tsconfig.json is a solution whose references name every project;
// mobile/tsconfig.json is the app's, and the app's tests, bench and scripts, which it does not include, are found
// through the root's reference to mobile/tsconfig.node.json). Formatting is Prettier's job (`npm run format:check`),
// not ESLint's.
import tseslint from 'typescript-eslint';

/** Files that no tsconfig includes (tool configs): linted without type information. */
const untyped = ['*.{js,cjs,mjs,ts,mts}', 'mobile/*.{js,cjs,mjs,ts,mts}', '**/*.cjs'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/.data/',
      '**/.expo/',
      '**/coverage/',
      '**/__generated__/',
      '**/generated/',
      'mobile/src/gql/',
      'gateway/explorer/dist/',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['**/*.{ts,tsx,mts,cts,js,cjs,mjs}'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    // A promise nobody awaits or catches (an unhandled rejection ends the process), a promise handed where the
    // callback's result is ignored, a switch that misses a new union member, type-only imports written as such
    // (verbatimModuleSyntax erases only those; `import { type X }` alone would keep a side-effect import), and control
    // characters in a regular expression only where refusing them is the point (each such line says so).
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: true },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      'no-control-regex': 'error',
    },
  },
  {
    // An interactive transaction holds one pool connection; a read through the pool inside it (the request's loaders,
    // the client or the pool itself rather than `tx`) waits for a second one, which requests waiting for this
    // transaction's locks may hold: a deadlock until the transaction times out. What a transaction needs is loaded
    // before it and passed in (subgraphs/farm/src/domain/payments/bookings.ts).
    files: ['subgraphs/*/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: `CallExpression[callee.property.name='$transaction'] > :function MemberExpression[property.name=/^(loaders|db|sql)$/]`,
          message: 'Inside a transaction, read through `tx`; load anything else before the transaction and pass it in.',
        },
        {
          selector: `CallExpression[callee.property.name='$transaction'] > :function MemberExpression[object.name=/^(loaders|lookups|db|sql|pool)$/]`,
          message: 'Inside a transaction, read through `tx`; load anything else before the transaction and pass it in.',
        },
        {
          selector: `CallExpression[callee.property.name='$transaction'] > :function CallExpression > Identifier[name=/^(loaders|lookups|db|sql|pool)$/]`,
          message: 'Inside a transaction, read through `tx`; load anything else before the transaction and pass it in.',
        },
      ],
    },
  },
  {
    files: untyped,
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.cjs', 'mobile/metro.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
);

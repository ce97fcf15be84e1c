import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations from the composed supergraph (the gateway's schema). VEGSHARE_SCHEMA may point at another file,
// e.g. the preview composed by scripts/schema-preview.mts while the checked-in supergraph is being regenerated.
const config: CodegenConfig = {
  schema: process.env['VEGSHARE_SCHEMA'] ?? '../schema/supergraph.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  ignoreNoDocuments: true,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Date: 'string', DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        avoidOptionals: false,
      },
    },
  },
};
export default config;

// ESLint flat config. Correctness only: Prettier owns formatting (no stylistic rules here), and
// dependency-cruiser (.dependency-cruiser.cjs) owns the architecture, except in .astro files, which
// dependency-cruiser cannot parse: its rules b, c and f for them are the last two blocks of this file.
// Not type-checked on purpose (speed); `astro check` runs the type checker.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import astro from 'eslint-plugin-astro';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const unusedVars = [
  'error',
  {
    args: 'after-used',
    argsIgnorePattern: '^_',
    varsIgnorePattern: '^_',
    caughtErrorsIgnorePattern: '^_',
    destructuredArrayIgnorePattern: '^_',
    ignoreRestSiblings: true,
  },
];

// Rules b (pages-actions-only-domain-entry) and c (no-kysely-outside-server) of
// .dependency-cruiser.cjs, for .astro files. Import specifiers are matched as
// written: the project imports through package.json subpath imports (#server/…) or relatively.
const SERVER = String.raw`^(?:#server/|(?:\.\.?/)+(?:[^#]*/)?server/)`;
const NOT_KERNEL_OR_PLATFORM = String.raw`(?!kernel/|platform/)`;
const kyselyPattern = {
  regex: String.raw`^kysely(?:/|$)`,
  message: 'no-kysely-outside-server: only src/server/ and db/ may use Kysely; call a domain service.',
};
const astroImportPatterns = [
  kyselyPattern,
  {
    regex: String.raw`${SERVER}(?:[^/]+/)*(?:repo|[^/]*-repo)\.ts$`,
    message: "pages-actions-only-domain-entry: a repo is private to its folder; import the domain's index.ts.",
  },
  {
    regex: String.raw`${SERVER}${NOT_KERNEL_OR_PLATFORM}[^/]+/(?!index\.ts$)(?!(?:[^/]+/)*(?:repo|[^/]*-repo)\.ts$)[^/]`,
    message:
      'pages-actions-only-domain-entry: import a domain only through its index.ts (e.g. #server/teams/index.ts).',
  },
  {
    regex: String.raw`^#db/|^(?:\.\.?/)+(?:[^#]*/)?db/`,
    message: 'no-kysely-outside-server: pages and components reach the database through src/server only.',
  },
  {
    regex: String.raw`${SERVER}progress/`,
    message: "ui-not-progress-record: the progress record is other domains' data; read it through #server/learning.",
  },
];

export default defineConfig(
  globalIgnores([
    'dist/',
    '.astro/',
    'node_modules/',
    '.data/',
    '.cache/',
    '.scratch/',
    'test-results/',
    'playwright-report/',
    'tests/.output/',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,
  astro.configs.recommended,
  svelte.configs.recommended,

  {
    name: 'rounds/globals',
    languageOptions: { globals: { ...globals.node } },
  },
  {
    name: 'rounds/browser-globals',
    // Islands, shared pure code and the <script> tags of .astro files run in the browser.
    files: ['src/components/islands/**', 'src/lib/**', '**/*.svelte', '**/*.astro/*.js', '**/*.astro/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    name: 'rounds/svelte-typescript',
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },

  {
    name: 'rounds/rules',
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': unusedVars,
      // The input checks strip control characters on purpose (\x00-\x1f); every hit is deliberate.
      'no-control-regex': 'off',
    },
  },
  {
    name: 'rounds/typescript-owns-undefined-names',
    // TypeScript (astro check) reports undefined names with the right globals per file; ESLint's
    // no-undef does not know Astro's or Svelte's ambient types.
    files: ['**/*.ts', '**/*.astro', '**/*.svelte'],
    rules: { 'no-undef': 'off' },
  },
  {
    name: 'rounds/migrations',
    // Kysely's documented migration signature: a migration must not depend on today's schema types.
    files: ['db/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    name: 'rounds/svelte-not-kit',
    // Astro islands, not SvelteKit: there is no $app/paths resolve() to route links through.
    files: ['**/*.svelte'],
    rules: { 'svelte/no-navigation-without-resolve': 'off' },
  },

  {
    name: 'rounds/astro-architecture',
    // dependency-cruiser cannot read .astro frontmatter; these mirror its rules b and c.
    files: ['src/**/*.astro'],
    rules: { 'no-restricted-imports': ['error', { patterns: astroImportPatterns }] },
  },
  {
    name: 'rounds/islands-no-server',
    // Rule f where dependency-cruiser is blind: .astro islands, the <script> tags of every .astro
    // file, and `import type` in .svelte islands (the Svelte 5 compiler strips it before
    // dependency-cruiser looks; it does see their value imports).
    files: [
      'src/components/islands/**/*.astro',
      'src/components/islands/**/*.svelte',
      'src/**/*.astro/*.ts',
      'src/**/*.astro/*.js',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            kyselyPattern,
            {
              regex: String.raw`${SERVER}|^#db/|^(?:\.\.?/)+(?:[^#]*/)?db/`,
              message:
                'islands-no-server: islands and <script> tags run in the browser; pass data in as props or data- attributes.',
            },
          ],
        },
      ],
    },
  },
);

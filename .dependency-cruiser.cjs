// dependency-cruiser: the architecture of src/server, checked on every `npm run lint`.
//
//   src/server/kernel/     errors, context, tokens, signed links, catalogue loader, forms
//   src/server/platform/   db, settings, http server, mail + outbox repo, throttle + repo, jobs, backup, health
//   src/server/<domain>/   audit, accounts, progress, learning, certificates, events, teams, my-data, demo:
//                          index.ts is the domain's public entry; repo.ts / *-repo.ts are private to the folder
//
// Every folder of src/server other than kernel/ and platform/ counts as a domain, so a new one is
// covered without touching this file.
//
// dependency-cruiser reads .ts and .svelte (through the Svelte compiler) but not .astro frontmatter:
// .astro files are only nodes here, and ESLint (eslint.config.js, "rounds/astro-architecture")
// applies rules b, c and f to their imports.

const DOMAIN = String.raw`(?!kernel/|platform/)[^/]+`;
// repo.ts or *-repo.ts anywhere under src/server (two patterns: dependency-cruiser refuses regexes it deems unsafe)
const REPO_FILES = [String.raw`^src/server/.+/repo\.ts$`, String.raw`^src/server/.+-repo\.ts$`];
const UI = String.raw`^src/(?:pages|actions|components|layouts)/|^src/[^/]+\.ts$`; // src/*.ts: middleware, content.config

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles in src/ or bin/, counting type-only imports.',
      from: { path: '^(?:src|bin)/' },
      to: { circular: true },
    },
    {
      name: 'pages-actions-only-domain-entry',
      severity: 'error',
      comment:
        'Pages, actions, components, layouts and middleware reach a domain through its index.ts only, and never a repo. ' +
        'kernel/* and platform/* are open to them.',
      from: { path: UI },
      to: {
        path: [...REPO_FILES, String.raw`^src/server/${DOMAIN}/(?!index\.ts$)`],
      },
    },
    {
      name: 'ui-not-progress-record',
      severity: 'error',
      comment:
        'progress/ is the record of lessons done that learning, certificates, teams and events share; ' +
        'pages read it through a service of theirs (e.g. learning.courseProgress), never directly.',
      from: { path: UI },
      to: { path: '^src/server/progress/' },
    },
    {
      name: 'pages-platform-narrow',
      severity: 'error',
      comment:
        'Of platform/, the UI layer uses the request context, the database handle (for unauthenticated ' +
        'reads such as signed links), settings, the health check and the job trigger; anything else is ' +
        'service logic that belongs in a domain.',
      from: { path: UI },
      to: {
        path: '^src/server/platform/',
        pathNot: String.raw`^src/server/platform/(?:request-context|db|settings|health|jobs)\.ts$`,
      },
    },
    {
      name: 'no-kysely-outside-server',
      severity: 'error',
      comment: 'Kysely (and the db/ schema and migrations) are for src/server/ and db/ only.',
      from: { path: '^src/', pathNot: '^src/server/' },
      to: { path: ['^node_modules/kysely/', '^db/'] },
    },
    {
      name: 'repos-private-to-domain',
      severity: 'error',
      comment: 'A repo file in src/server/<X>/ is imported only by files of src/server/<X>/.',
      from: { path: '^src/server/([^/]+)/' },
      to: {
        path: REPO_FILES,
        pathNot: '^src/server/$1/',
      },
    },
    {
      name: 'no-cross-domain-internals',
      severity: 'error',
      comment:
        "A domain imports another domain only through that domain's index.ts. kernel/ and platform/ " +
        'are open to every domain.',
      from: { path: `^src/server/(${DOMAIN})/` },
      to: {
        path: `^src/server/${DOMAIN}/`,
        // repo files of another domain are reported once, by repos-private-to-domain
        pathNot: [String.raw`^src/server/$1/`, String.raw`^src/server/[^/]+/index\.ts$`, ...REPO_FILES],
      },
    },
    {
      name: 'islands-no-server',
      severity: 'error',
      comment: 'Islands and src/lib run in the browser (src/lib is shared with islands): no server code, no db/.',
      from: { path: '^src/(?:components/islands|lib)/' },
      to: { path: '^(?:src/server|db)/' },
    },
    {
      name: 'kernel-platform-no-domains',
      severity: 'error',
      comment:
        'kernel/ and platform/ sit below the domains and never import one; the single exception is ' +
        'platform/jobs.ts, the one job list (see jobs-only-domain-entries).',
      from: {
        path: '^src/server/(?:kernel|platform)/',
        pathNot: String.raw`^src/server/platform/jobs\.ts$`,
      },
      to: { path: `^src/server/${DOMAIN}/` },
    },
    {
      name: 'jobs-only-domain-entries',
      severity: 'error',
      comment: 'platform/jobs.ts may import domains, but only through their index.ts.',
      from: { path: String.raw`^src/server/platform/jobs\.ts$` },
      to: {
        path: `^src/server/${DOMAIN}/`,
        pathNot: String.raw`^src/server/[^/]+/index\.ts$`,
      },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import dependency-cruiser cannot resolve is a typo, or a resolution gap that would let the rules ' +
        "above miss it. Astro's virtual modules (astro:*) are the expected exception.",
      from: { path: '^(?:src|bin)/' },
      to: { couldNotResolve: true, pathNot: '^astro:' },
    },
  ],

  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: [String.raw`^\.astro/`, '^dist/'] },

    // Count `import type` too: a type-only cycle is still a cycle between modules, and a
    // type-only import of a repo still couples a page to it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },

    // Nodes for .astro files (imported by .ts files); their own imports are ESLint's job.
    extraExtensionsToScan: ['.astro'],

    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // package.json "imports" (#server/*, #lib/*, #db/*, #components/*, …) resolve through
      // enhanced-resolve's default importsFields (["imports"]); dependency-cruiser's schema does not
      // take that key. conditionNames apply to both "imports" and packages' "exports".
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json', '.astro', '.svelte'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },

    skipAnalysisNotInRules: true,
  },
};

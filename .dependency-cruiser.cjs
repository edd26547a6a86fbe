/**
 * Module boundaries (ARCHITECTURE.md §4):
 * - a module imports another module only through its index.ts;
 * - platform/ imports no module;
 * - services and repositories never import fastify; routes never import kysely.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'module-through-index-only',
      comment: 'Another module may be imported only through its index.ts',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'platform-imports-no-module',
      comment: 'platform/ holds no business rules and imports no module',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'services-without-fastify',
      comment: 'Services and repositories know nothing of HTTP',
      severity: 'error',
      from: { path: '\\.(service|repository)\\.ts$' },
      to: { path: 'node_modules/(fastify|@fastify)/' },
    },
    {
      name: 'routes-without-kysely',
      comment: 'Routes and pages call services; they do not write SQL',
      severity: 'error',
      from: { path: '\\.(routes|pages)\\.tsx?$' },
      to: { path: 'node_modules/kysely/' },
    },
    {
      name: 'migrations-frozen',
      comment: 'Migrations never import application code',
      severity: 'error',
      from: { path: '^src/migrations/' },
      to: { path: '^src/(platform|modules)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.tsx?$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
}

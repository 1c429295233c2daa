#!/usr/bin/env node
// Build step (after tsc): bundles every command (dist/commands/**/*.js), and the
// worker thread entries listed in WORKERS, in place with the project code and
// packages it imports. Node's ESM loader resolves,
// reads, compiles and links every module separately; for `joe validate` that
// was ~270 files and about 100 ms of its start-up. One file per command keeps
// oclif's layout (commands folder, oclif.manifest.json) as it was.
//
// Stays outside the bundles, loaded from node_modules as before:
// - oclif: bin/run.js and the commands must share one copy;
// - native and WebAssembly packages, ink/react: they load files next to
//   themselves, and are big and rarely needed;
// - any package imported with a dynamic import(): it was lazy, it stays lazy.
//
// Each bundled module keeps its own import.meta.url (keepModuleUrls), so code
// that finds package files relative to itself (schemas/, templates/,
// dist/generated/) works unchanged.
//
// JOE_NO_BUNDLE=1 npm run build skips this step (for profiles by package).
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const root = fileURLToPath(new URL('../', import.meta.url))
const commandsDir = path.join(root, 'dist/commands')

const EXTERNAL = [
  '@oclif/core',
  '@oclif/plugin-*',
  'better-sqlite3',
  '@electric-sql/pglite',
  '@viz-js/viz',
  'pg',
  'pg-native',
  'ink',
  'ink-*',
  'react',
  'react/*',
  'react-*',
  'yoga-layout',
  // The HTTP server of `joe serve` (CommonJS, with workers and files it finds by __dirname).
  'fastify',
]

// CommonJS packages inside an ESM bundle call require() for node: built-ins.
const BANNER = "import {createRequire as __joeCreateRequire} from 'node:module'; const require = __joeCreateRequire(import.meta.url);"

/** @type {import('esbuild').Plugin} */
const lazyPackagesStayLazy = {
  name: 'lazy-packages-stay-lazy',
  setup(b) {
    b.onResolve({filter: /^[^./]/}, (args) => (args.kind === 'dynamic-import' ? {path: args.path, external: true} : undefined))
  },
}

/**
 * Replaces `import.meta.url` in every bundled module with that module's original
 * URL, computed from the bundle's own URL, so `new URL('../../schemas/', import.meta.url)`
 * means what it meant before bundling. Other import.meta properties are refused.
 * @param {string} outfile
 * @returns {import('esbuild').Plugin}
 */
function keepModuleUrls(outfile) {
  return {
    name: 'keep-module-urls',
    setup(b) {
      b.onLoad({filter: /\.m?js$/}, (args) => {
        const text = readFileSync(args.path, 'utf8')
        if (!text.includes('import.meta')) return undefined
        const other = /import\.meta\.(dirname|filename|resolve)\b/.exec(text)
        if (other) throw new Error(`${path.relative(root, args.path)} uses ${other[0]}; only import.meta.url survives bundling`)
        const relative = path.relative(path.dirname(outfile), args.path).split(path.sep).join('/')
        return {contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`), loader: 'js'}
      })
    },
  }
}

if (process.env.JOE_NO_BUNDLE === '1') {
  process.stdout.write('JOE_NO_BUNDLE=1: commands left unbundled\n')
  process.exit(0)
}

// Worker thread entries, started by URL (new Worker(new URL('./x-worker.js', import.meta.url))):
// bundled in place like a command, so a worker loads one file, not the module graph.
const WORKERS = [
  'dist/core/simulate/simulate-worker.js',
  'dist/cli/simulate-run-worker.js',
  'dist/core/project/check-worker.js',
  'dist/core/store/record-worker.js',
]

const commands = readdirSync(commandsDir, {recursive: true, encoding: 'utf8'})
  .filter((f) => f.endsWith('.js'))
  .map((f) => path.join(commandsDir, f))
if (commands.length === 0) throw new Error(`no commands in ${commandsDir}; run tsc first`)
const entries = [...commands, ...WORKERS.map((f) => path.join(root, f))]

const results = await Promise.all(
  entries.map((entry) =>
    build({
      entryPoints: [entry],
      outfile: entry,
      allowOverwrite: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: EXTERNAL,
      banner: {js: BANNER},
      // tsc's maps are read in, so stack traces (node --enable-source-maps) point at src/*.ts.
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      plugins: [lazyPackagesStayLazy, keepModuleUrls(entry)],
    }),
  ),
)

for (const [i, result] of results.entries()) {
  const text = readFileSync(entries[i], 'utf8')
  // A CommonJS dependency using these would fail at run time in an ESM bundle.
  const cjsGlobal = /\b__(dirname|filename)\b/.exec(text)
  if (cjsGlobal) throw new Error(`${path.relative(root, entries[i])}: a bundled module uses ${cjsGlobal[0]}; make its package external`)
  const inputs = Object.keys(result.metafile.inputs).length
  process.stdout.write(`bundled ${path.relative(root, entries[i])}: ${inputs} modules, ${Math.round(text.length / 1024)} KiB\n`)
}

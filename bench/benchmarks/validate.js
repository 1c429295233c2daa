// `joe validate` on a generated project of many journeys (bench/lib/journeys.js):
// parse, schema, rules and CEL checks for every file, as in CI on a big repo. Its
// yardstick (issue 13) is `validate-baseline`: the same files parsed with `yaml`
// (positions kept) and checked with ajv by a plain script (bench/lib/validate-baseline.js),
// timed as a whole process like joe; aim: joe at most 0.8x of it, by spreading the
// files over the cores.
import path from 'node:path'
import {generateProject} from '../lib/journeys.js'
import {runOnce} from '../lib/measure.js'

const project = (ctx) => ctx.fixture('journeys', (into) => generateProject({root: ctx.root, dir: into, count: ctx.options.files}))

/** @type {import('../run.js').Benchmark[]} */
export const validateBenchmarks = [
  {
    name: 'validate-baseline',
    title: (ctx) => `yaml + ajv script, same ${ctx.options.files} files`,
    invocation: (ctx) => ({command: ctx.node, args: [path.join(ctx.root, 'bench/lib/validate-baseline.js'), project(ctx)]}),
    check: (stdout, ctx) => {
      if (stdout.trim() !== `${ctx.options.files} files, 0 with problems`) throw new Error(`validate-baseline printed ${stdout.trim()}`)
    },
  },
  {
    name: 'validate',
    title: (ctx) => `joe validate (${ctx.options.files} journeys)`,
    aim: {maxRatio: 0.8, versus: 'validate-baseline'},
    invocation: (ctx) => ({command: ctx.node, args: [ctx.bin, 'validate'], cwd: project(ctx)}),
    check: (_stdout, ctx, invocation) => {
      // The generated journeys are all valid: anything else means the generator or joe is broken.
      const {stdout} = runOnce('validate --json', {...invocation, args: [...invocation.args, '--json']})
      const result = JSON.parse(stdout)
      if (result.files.length !== ctx.options.files || result.error_count !== 0 || result.warning_count !== 0) {
        const first = result.diagnostics.slice(0, 5).map((d) => `${d.file}:${d.line}: ${d.code} ${d.message}`)
        throw new Error(
          `expected ${ctx.options.files} clean files; joe validate checked ${result.files.length} with ${result.error_count} errors, ${result.warning_count} warnings\n${first.join('\n')}`,
        )
      }
    },
  },
]

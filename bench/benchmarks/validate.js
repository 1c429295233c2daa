// `joe validate` on a generated project of many journeys (bench/lib/journeys.js):
// parse, schema, rules and CEL checks for every file, as in CI on a big repo.
import {generateProject} from '../lib/journeys.js'
import {runOnce} from '../lib/measure.js'

/** @type {import('../run.js').Benchmark[]} */
export const validateBenchmarks = [
  {
    name: 'validate',
    title: (ctx) => `joe validate (${ctx.options.files} journeys)`,
    aim: {maxRatio: 3},
    invocation: (ctx) => {
      const dir = ctx.fixture('journeys', (into) => generateProject({root: ctx.root, dir: into, count: ctx.options.files}))
      return {command: ctx.node, args: [ctx.bin, 'validate'], cwd: dir}
    },
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

// `joe validate` on a generated project of many journeys (bench/lib/journeys.js):
// parse, schema, rules and CEL checks for every file, as in CI on a big repo.
import {generateProject} from '../lib/journeys.js'

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
    check: (stdout, ctx) => {
      // The generated journeys are all valid: anything else means the generator or joe is broken.
      if (!stdout.includes(`${ctx.options.files} files checked, no problems`)) {
        throw new Error(`joe validate did not report a clean run:\n${stdout.split('\n').slice(0, 20).join('\n')}`)
      }
    },
  },
]

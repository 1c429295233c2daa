// CEL evaluation with and without the fast path of src/core/expr/fast-eval.ts
// (bench/micro/cel-fast-path.js), on the templates' expressions. The table times
// a short run of the micro-benchmark as a whole process, which says little; the
// check runs it in full and prints the figure that matters, the ratio library /
// fast path, measured in that one process. The aim is > 1: otherwise the fast
// path costs code and buys nothing, and should go.
import path from 'node:path'
import {runOnce} from '../lib/measure.js'

const AIM_RATIO = 1

/** @type {import('../run.js').Benchmark[]} */
export const celBenchmarks = [
  {
    name: 'cel-fast-path',
    title: 'CEL micro-benchmark, short run (ratio printed below)',
    invocation: (ctx) => ({
      command: ctx.node,
      args: [path.join(ctx.root, 'bench/micro/cel-fast-path.js'), '--json', '--rounds', '3', '--min-ms', '10'],
    }),
    check: (_stdout, ctx) => {
      const {stdout} = runOnce('cel-fast-path (full)', {
        command: ctx.node,
        args: [path.join(ctx.root, 'bench/micro/cel-fast-path.js'), '--json'],
      })
      const result = JSON.parse(stdout)
      const met = result.ratio > AIM_RATIO
      process.stderr.write(
        ctx.options.json
          ? `${JSON.stringify({celFastPath: {...result, aim: {minRatio: AIM_RATIO, met}}})}\n`
          : `\nCEL evaluation on the templates' ${result.expressions} expressions, median of ${result.rounds} rounds\n` +
              `  library only        ${String(result.libraryNsPerEval).padStart(7)} ns/evaluation\n` +
              `  with the fast path  ${String(result.fastNsPerEval).padStart(7)} ns/evaluation\n` +
              `  library / fast      ${result.ratio.toFixed(2).padStart(7)}x           aim > ${AIM_RATIO}: ${met ? 'met' : 'NOT MET'}\n\n`,
      )
      if (ctx.options.check && !met) process.exitCode = 1
    },
  },
]

// Start-up: a bare node process (the yardstick every other benchmark is
// compared with) and `joe --version`, the least a CLI can do.

/** @type {import('../run.js').Benchmark[]} */
export const startupBenchmarks = [
  {
    name: 'node-bare',
    title: 'node -e ""',
    baseline: true,
    invocation: (ctx) => ({command: ctx.node, args: ['-e', '']}),
  },
  {
    name: 'version',
    title: 'joe --version',
    aim: {maxRatio: 2.5},
    invocation: (ctx) => ({command: ctx.node, args: [ctx.bin, '--version']}),
    check: (stdout, ctx) => {
      const expected = `${ctx.pkg.name}/${ctx.pkg.version} ${process.platform}-${process.arch} node-${process.version}`
      if (stdout.trim() !== expected)
        throw new Error(`joe --version printed ${JSON.stringify(stdout.trim())}, expected ${JSON.stringify(expected)}`)
    },
  },
]

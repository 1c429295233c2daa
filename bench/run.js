#!/usr/bin/env node
// `npm run bench` (after the build): times joe's commands as whole processes and
// compares each with a bare `node -e ""` start-up measured in the same run.
//
//   node bench/run.js [--runs 10] [--warmup 2] [--files 500] [--only NAME]... [--json] [--check] [--keep] [--hyperfine]
//
// Benchmarks are plain objects in bench/benchmarks/*.js; add a file and list it
// in BENCHMARKS below. Times are wall-clock milliseconds from spawn to exit.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {celBenchmarks} from './benchmarks/cel.js'
import {importBenchmarks} from './benchmarks/import.js'
import {simulateBenchmarks} from './benchmarks/simulate.js'
import {startupBenchmarks} from './benchmarks/startup.js'
import {validateBenchmarks} from './benchmarks/validate.js'
import {measureInterleaved, runOnce, summarize} from './lib/measure.js'

/**
 * @typedef {object} Context
 * @property {string} root package root
 * @property {string} bin absolute path of bin/run.js
 * @property {string} node this node's executable, so every benchmark uses the same one
 * @property {{name: string, version: string}} pkg package.json
 * @property {{runs: number, warmup: number, files: number}} options
 * @property {(name: string, create: (dir: string) => unknown) => string} fixture a temp folder, created once per run by `create`
 */

/**
 * @typedef {object} Benchmark
 * @property {string} name stable id, used by --only and in --json output
 * @property {string | ((ctx: Context) => string)} title what the table shows
 * @property {boolean} [baseline] the yardstick the others are divided by (exactly one)
 * @property {{maxRatio: number, versus?: string}} [aim] met when median / baseline median is below maxRatio;
 *   with `versus`, the median of that benchmark (run whenever this one runs) is the yardstick instead
 * @property {(ctx: Context) => import('./lib/measure.js').Invocation} invocation
 * @property {(ctx: Context) => Promise<void>} [prepare] makes what the invocation needs (once, before it is asked for)
 * @property {(stdout: string, ctx: Context, invocation: import('./lib/measure.js').Invocation) => void | Promise<void>} [check]
 *   throws when the output of a first, untimed run is wrong
 */

/** @type {Benchmark[]} */
const BENCHMARKS = [...startupBenchmarks, ...validateBenchmarks, ...simulateBenchmarks, ...celBenchmarks, ...importBenchmarks]

const root = fileURLToPath(new URL('../', import.meta.url))

function parseOptions() {
  const {values} = parseArgs({
    options: {
      runs: {type: 'string', default: '10'},
      warmup: {type: 'string', default: '2'},
      files: {type: 'string', default: '500'},
      only: {type: 'string', multiple: true},
      json: {type: 'boolean', default: false},
      check: {type: 'boolean', default: false},
      keep: {type: 'boolean', default: false},
      hyperfine: {type: 'boolean', default: false},
      help: {type: 'boolean', short: 'h', default: false},
    },
  })
  if (values.help) {
    const names = BENCHMARKS.map((b) => b.name).join(', ')
    process.stdout.write(
      `usage: node bench/run.js [--runs N] [--warmup N] [--files N] [--only NAME]... [--json] [--check] [--keep] [--hyperfine]\n\n` +
        `  --runs N      timed runs per benchmark (default 10)\n  --warmup N    untimed runs first (default 2)\n` +
        `  --files N     journeys in the generated project (default 500)\n  --only NAME   run only these benchmarks (the baseline always runs): ${names}\n` +
        `  --json        machine-readable results on stdout\n  --check       exit 1 when an aim is not met\n` +
        `  --keep        keep the generated temp project\n  --hyperfine   measure with hyperfine (must be on PATH)\n`,
    )
    process.exit(0)
  }
  const int = (name, min) => {
    const n = Number(values[name])
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`)
    return n
  }
  const only = values.only ?? []
  const unknown = only.filter((name) => !BENCHMARKS.some((b) => b.name === name))
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`)
  return {
    runs: int('runs', 1),
    warmup: int('warmup', 0),
    files: int('files', 1),
    only,
    json: values.json,
    check: values.check,
    keep: values.keep,
    hyperfine: values.hyperfine,
  }
}

function hasHyperfine() {
  return spawnSync('hyperfine', ['--version'], {stdio: 'ignore'}).status === 0
}

const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`

/** Same rounds through hyperfine; it subtracts its own shell's start-up from every time. */
function measureWithHyperfine(items, {runs, warmup}, tmp) {
  const out = path.join(tmp, 'hyperfine.json')
  const prepares = items.flatMap(({invocation: inv}) => ['--prepare', inv.fresh ? `rm -f ${inv.fresh.map(shellQuote).join(' ')}` : 'true'])
  const commands = items.map(({invocation: inv}) => {
    const env = Object.entries(inv.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v ?? '')} `)
    return `cd ${shellQuote(inv.cwd ?? root)} && ${env.join('')}${[inv.command, ...inv.args].map(shellQuote).join(' ')}`
  })
  const names = items.flatMap((item) => ['--command-name', item.name])
  execFileSync(
    'hyperfine',
    ['--style', 'none', '--warmup', String(warmup), '--runs', String(runs), '--export-json', out, ...prepares, ...names, ...commands],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  const report = JSON.parse(readFileSync(out, 'utf8'))
  return new Map(report.results.map((r, i) => [items[i].name, r.times.map((s) => s * 1000)]))
}

async function main() {
  const options = parseOptions()
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'joe-bench-'))
  const fixtures = new Map()
  /** @type {Context} */
  const ctx = {
    root,
    bin: path.join(root, 'bin', 'run.js'),
    node: process.execPath,
    pkg,
    options,
    fixture(name, create) {
      if (!fixtures.has(name)) {
        const dir = path.join(tmp, name)
        mkdirSync(dir, {recursive: true})
        create(dir)
        fixtures.set(name, dir)
      }
      return fixtures.get(name)
    },
  }
  const progress = !options.json && process.stderr.isTTY
  try {
    const wanted = new Set(options.only)
    for (const b of BENCHMARKS) if (wanted.has(b.name) && b.aim?.versus) wanted.add(b.aim.versus)
    const selected = BENCHMARKS.filter((b) => b.baseline || wanted.size === 0 || wanted.has(b.name))
    for (const b of selected) await b.prepare?.(ctx)
    const items = selected.map((b) => ({
      benchmark: b,
      name: b.name,
      title: typeof b.title === 'function' ? b.title(ctx) : b.title,
      invocation: b.invocation(ctx),
    }))
    // One untimed run each to check that the command works and prints what it should.
    for (const item of items) await item.benchmark.check?.(runOnce(item.name, item.invocation).stdout, ctx, item.invocation)

    const useHyperfine = options.hyperfine && hasHyperfine()
    if (options.hyperfine && !useHyperfine) throw new Error('--hyperfine: hyperfine is not on PATH')
    const times = useHyperfine
      ? measureWithHyperfine(items, options, tmp)
      : measureInterleaved(items, {
          runs: options.runs,
          warmup: options.warmup,
          ...(progress ? {onProgress: (done, total) => process.stderr.write(`\rmeasuring ${done}/${total}`)} : {}),
        })
    if (progress) process.stderr.write('\r\x1b[K')

    const baseline = items.find((item) => item.benchmark.baseline)
    const base = summarize(times.get(baseline.name))
    const results = items.map((item) => {
      const stats = summarize(times.get(item.name))
      const ratio = stats.median / base.median
      const versus = item.benchmark.aim?.versus
      const yardstick = versus ? summarize(times.get(versus)) : base
      const aimRatio = stats.median / yardstick.median
      const aim = item.benchmark.aim
        ? {
            maxRatio: item.benchmark.aim.maxRatio,
            ...(versus ? {versus, ratio: round(aimRatio, 2), minRatio: round(stats.min / yardstick.min, 2)} : {}),
            met: aimRatio < item.benchmark.aim.maxRatio,
          }
        : undefined
      return {
        name: item.name,
        title: item.title,
        command: [item.invocation.command, ...item.invocation.args].join(' '),
        ...(item.invocation.cwd ? {cwd: item.invocation.cwd} : {}),
        baseline: item.benchmark.baseline === true,
        medianMs: round(stats.median),
        minMs: round(stats.min),
        maxMs: round(stats.max),
        meanMs: round(stats.mean),
        sdMs: round(stats.sd),
        ratio: round(ratio, 2),
        minRatio: round(stats.min / base.min, 2),
        ...(aim ? {aim} : {}),
        timesMs: times.get(item.name).map((t) => round(t)),
      }
    })
    const environment = {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage: os.loadavg().map((l) => round(l, 2)),
      runs: options.runs,
      warmup: options.warmup,
      files: options.files,
      tool: useHyperfine ? 'hyperfine' : 'spawnSync',
    }
    if (options.json) process.stdout.write(`${JSON.stringify({environment, results}, null, 2)}\n`)
    else printTable(environment, results)
    if (options.check && results.some((r) => r.aim && !r.aim.met)) process.exitCode = 1
  } finally {
    if (options.keep) process.stderr.write(`kept ${tmp}\n`)
    else rmSync(tmp, {recursive: true, force: true})
  }
}

function round(n, digits = 1) {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

function printTable(env, results) {
  const rows = [
    ['benchmark', 'median', 'min', 'max', 'x node', 'aim', ''],
    ...results.map((r) => [
      r.title,
      `${r.medianMs.toFixed(1)} ms`,
      `${r.minMs.toFixed(1)} ms`,
      `${r.maxMs.toFixed(1)} ms`,
      `${r.ratio.toFixed(2)}x`,
      r.aim ? (r.aim.versus ? `${r.aim.ratio.toFixed(2)}x ${r.aim.versus}, aim < ${r.aim.maxRatio}x` : `< ${r.aim.maxRatio}x`) : '',
      r.aim ? (r.aim.met ? 'met' : 'NOT MET') : r.baseline ? '(baseline)' : '',
    ]),
  ]
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  const line = (row) =>
    row
      .map((cell, i) => (i === 0 || i >= 5 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd()
  const tool = env.tool === 'hyperfine' ? 'hyperfine' : 'interleaved rounds'
  process.stdout.write(
    `node ${env.node} ${env.platform}, ${env.cpus} CPUs (${env.cpuModel}), load ${env.loadAverage.join(' ')}\n` +
      `${env.runs} timed runs each after ${env.warmup} warm-ups, ${tool}; x node = median / median of node -e ""\n\n`,
  )
  process.stdout.write(`${[line(rows[0]), ...rows.slice(1).map(line)].join('\n')}\n`)
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})

// `joe simulate` of the cart abandonment template, each against a raw scan of the same store measured
// in the same interleaved rounds (issue 13's aims):
//   simulate       over 100,000 customers (~1,000,000 events): at most 1.0x the time of `raw-scan`;
//   simulate-200k  over 20,000 customers (~200,000 events), where start-up weighs: at most 1.5x
//                  `raw-scan-200k`.
// The raw scans (bench/lib/raw-scan.js) are processes too, with the same node and better-sqlite3:
// one thread reading every row of the events table in replay order (customer, time), start-up
// included. Besides the timed runs, the 1M check measures, in the same run: the scan alone inside
// this process (rows/s, no start-up: for reference), the simulate process's peak RSS (aim < 300 MB),
// and peak RSS again over a store with the same customers and twice the events per customer, which
// should stay about the same (memory follows customers in flight, not events).
// The stores are generated once into a cache folder (keyed by the generator's built code) and reused
// while it exists; a run removes only the stores it generated, unless --keep.
//
//   JOE_BENCH_CUSTOMERS=20000 node bench/run.js --only simulate --runs 3
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'
import {runOnce, summarize} from '../lib/measure.js'

const CUSTOMERS = Number(process.env.JOE_BENCH_CUSTOMERS ?? 100_000)
/** The small store: a fifth of the customers, ~200,000 events at the default size. */
const SMALL_CUSTOMERS = Math.max(1, Math.round(CUSTOMERS / 5))
const DAYS = 30
const SAMPLES = 3
/** Issue 13: simulate at 1M events no slower than a raw scan; at 200k, start-up included, at most 1.5x. */
const AIM_RATIO = 1.0
const AIM_RATIO_SMALL = 1.5
const AIM_RSS_MB = 300
/** Peak RSS over twice the events may grow by at most this factor. */
const AIM_RSS_GROWTH = 1.25

let cached

/**
 * The stores, generated on first use: `single` (seed 1), `double` (seeds 1 and 2: same customers,
 * twice the events) and `small` (SMALL_CUSTOMERS, seed 1).
 */
function stores(ctx) {
  if (cached) return cached
  const generator = ['generate-events.js', 'generate-scenarios.js']
    .map((f) => readFileSync(path.join(ctx.root, 'dist/core/store', f), 'utf8'))
    .join('\n')
  const key = createHash('sha256').update(`${CUSTOMERS}/${DAYS}\n${generator}`).digest('hex').slice(0, 12)
  const dir = path.join(os.tmpdir(), 'joe-bench-cache', `simulate-${key}`)
  const generated = []
  const generate = (store, customers, seeds) => {
    if (existsSync(`${store}.done`)) return
    rmSync(store, {force: true})
    generated.push(store)
    for (const seed of seeds) {
      if (!ctx.options.json) process.stderr.write(`generating ${customers} customers (seed ${seed}) into ${store}\n`)
      const args = ['events', 'generate', '--customers', String(customers), '--days', String(DAYS), '--seed', String(seed)]
      runOnce('events generate', {command: ctx.node, args: [ctx.bin, ...args, '--store', store], cwd: dir})
    }
    writeFileSync(`${store}.done`, '')
  }
  mkdirSync(dir, {recursive: true})
  const single = path.join(dir, 'single.db')
  const double = path.join(dir, 'double.db')
  const small = path.join(dir, `small-${SMALL_CUSTOMERS}.db`)
  generate(single, CUSTOMERS, [1])
  generate(double, CUSTOMERS, [1, 2])
  generate(small, SMALL_CUSTOMERS, [1])
  // Only what this run made: another run (another worktree) may be reading the others.
  if (!ctx.options.keep) {
    process.on('exit', () => {
      for (const store of generated) for (const suffix of ['', '-wal', '-shm', '.done']) rmSync(`${store}${suffix}`, {force: true})
    })
  } else process.stderr.write(`simulate stores kept in ${dir}\n`)
  cached = {
    dir,
    single,
    double,
    small,
    events: countEvents(ctx, single),
    doubleEvents: countEvents(ctx, double),
    smallEvents: countEvents(ctx, small),
  }
  return cached
}

function openDb(ctx, file) {
  const Database = createRequire(path.join(ctx.root, 'package.json'))('better-sqlite3')
  return new Database(file, {readonly: true})
}

function countEvents(ctx, file) {
  const db = openDb(ctx, file)
  try {
    return db.prepare('SELECT count(*) AS n FROM events').get().n
  } finally {
    db.close()
  }
}

/** The scan of bench/lib/raw-scan.js inside this process (no start-up): rows per second, for reference. */
function rawScan(ctx, file) {
  const db = openDb(ctx, file)
  try {
    const statement = db.prepare('SELECT seq, customer_id, type, ts, properties FROM events ORDER BY customer_id, ts, seq').raw(true)
    const times = []
    let rows = 0
    for (let i = 0; i < SAMPLES + 1; i++) {
      const start = process.hrtime.bigint()
      rows = 0
      for (const _ of statement.iterate()) rows++
      // The first pass only warms the page cache, as simulate's first run does.
      if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    return {rows, ms: summarize(times).median}
  } finally {
    db.close()
  }
}

const hasTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], {stdio: 'ignore'}).status === 0

/** Runs the invocation once; wall time and the process's peak RSS in MB. */
function runMeasured(inv) {
  const start = process.hrtime.bigint()
  const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss '+process.resourceUsage().maxRSS+'\\n'))`
  const [command, args] = hasTime
    ? ['/usr/bin/time', ['-f', 'maxrss %M', inv.command, ...inv.args]]
    : [inv.command, ['--import', hook, ...inv.args]]
  const result = spawnSync(command, args, {cwd: inv.cwd, env: {...process.env, ...inv.env}, maxBuffer: 64 * 1024 * 1024})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`simulate: exit code ${result.status}\n${String(result.stderr).slice(0, 2000)}`)
  const rss = /maxrss (\d+)\s*$/.exec(String(result.stderr))
  if (!rss) throw new Error('simulate: no peak RSS reported')
  return {ms, rssMb: Number(rss[1]) / 1024, stdout: String(result.stdout)}
}

const simulateArgs = (ctx, store) => [
  ctx.bin,
  'simulate',
  path.join(ctx.root, 'templates/cart-abandonment.journey.yaml'),
  '--store',
  store,
  '--json',
]

const fmt = (n, digits = 0) => n.toLocaleString('en-US', {maximumFractionDigits: digits, minimumFractionDigits: digits})

/** Throws unless `stdout` is the JSON report of the cart abandonment journey over `customers` customers. */
function checkReport(stdout, customers) {
  const report = JSON.parse(stdout)
  if (report.journey !== 'cart-abandonment' || report.customers.evaluated !== customers || report.customers.entered === 0)
    throw new Error(`unexpected simulate output: ${stdout.slice(0, 300)}`)
}

/** A raw scan process over `store` (the yardstick of one simulate benchmark). */
function rawScanBenchmark(name, store, events) {
  return {
    name,
    title: (ctx) => `raw scan process: better-sqlite3 SELECT ... ORDER BY customer_id, ts, seq (${fmt(events(ctx))} rows)`,
    invocation: (ctx) => ({command: ctx.node, args: [path.join(ctx.root, 'bench/lib/raw-scan.js'), store(ctx)], cwd: stores(ctx).dir}),
    check: (stdout, ctx) => {
      if (Number(stdout.trim()) !== events(ctx)) throw new Error(`raw scan read ${stdout.trim()} rows, expected ${events(ctx)}`)
    },
  }
}

/** @type {import('../run.js').Benchmark[]} */
export const simulateBenchmarks = [
  rawScanBenchmark(
    'raw-scan',
    (ctx) => stores(ctx).single,
    (ctx) => stores(ctx).events,
  ),
  {
    name: 'simulate',
    title: (ctx) => `joe simulate cart-abandonment (${fmt(CUSTOMERS)} customers, ${fmt(stores(ctx).events)} events)`,
    aim: {maxRatio: AIM_RATIO, versus: 'raw-scan'},
    invocation: (ctx) => {
      const {dir, single} = stores(ctx)
      return {command: ctx.node, args: simulateArgs(ctx, single), cwd: dir}
    },
    check: (stdout, ctx, invocation) => {
      checkReport(stdout, CUSTOMERS)
      const s = stores(ctx)
      const scan = rawScan(ctx, s.single)
      const runs = Array.from({length: SAMPLES}, () => runMeasured(invocation))
      if (runs.some((r) => r.stdout !== stdout)) throw new Error('simulate printed different JSON for the same inputs')
      const simMs = summarize(runs.map((r) => r.ms)).median
      const rss = Math.max(...runs.map((r) => r.rssMb))
      const double = runMeasured({...invocation, args: simulateArgs(ctx, s.double)})
      const rowsPerS = (scan.rows / scan.ms) * 1000
      const eventsPerS = (s.events / simMs) * 1000
      const ratio = eventsPerS / rowsPerS
      const growth = double.rssMb / rss
      const met = {rss: rss < AIM_RSS_MB, growth: growth < AIM_RSS_GROWTH}
      const summary = {
        customers: CUSTOMERS,
        events: s.events,
        cpus: os.availableParallelism(),
        rawScanInProcessRowsPerS: Math.round(rowsPerS),
        simulateEventsPerS: Math.round(eventsPerS),
        simulateMs: Math.round(simMs),
        ratioToScanInProcess: Math.round(ratio * 1000) / 1000,
        peakRssMb: Math.round(rss),
        doubleEvents: s.doubleEvents,
        doublePeakRssMb: Math.round(double.rssMb),
        doubleSimulateMs: Math.round(double.ms),
        met,
      }
      const mark = (ok) => (ok ? 'met' : 'NOT MET')
      process.stderr.write(
        ctx.options.json
          ? `${JSON.stringify({simulate: summary})}\n`
          : `\nsimulate: ${fmt(CUSTOMERS)} customers, ${fmt(s.events)} events, ${summary.cpus} CPUs, median of ${SAMPLES} (the aims against the raw scan process are in the table)\n` +
              `  raw scan inside this process, no start-up  ${fmt(rowsPerS).padStart(10)} rows/s\n` +
              `  joe simulate, start-up included            ${fmt(eventsPerS).padStart(10)} events/s  (${fmt(simMs / 1000, 2)} s), x${fmt(ratio, 2)}\n` +
              `  peak RSS of simulate                       ${fmt(rss).padStart(10)} MB        aim < ${AIM_RSS_MB} MB: ${mark(met.rss)}\n` +
              `  peak RSS, 2x events per customer           ${fmt(double.rssMb).padStart(10)} MB        x${fmt(growth, 2)} for ${fmt(s.doubleEvents)} events (${fmt(double.ms / 1000, 2)} s), aim < x${AIM_RSS_GROWTH}: ${mark(met.growth)}\n\n`,
      )
      // Like an unmet aim: the table still prints, and --check exits 1.
      if (ctx.options.check && !(met.rss && met.growth)) process.exitCode = 1
    },
  },
  rawScanBenchmark(
    'raw-scan-200k',
    (ctx) => stores(ctx).small,
    (ctx) => stores(ctx).smallEvents,
  ),
  {
    name: 'simulate-200k',
    title: (ctx) => `joe simulate cart-abandonment (${fmt(SMALL_CUSTOMERS)} customers, ${fmt(stores(ctx).smallEvents)} events)`,
    aim: {maxRatio: AIM_RATIO_SMALL, versus: 'raw-scan-200k'},
    invocation: (ctx) => {
      const {dir, small} = stores(ctx)
      return {command: ctx.node, args: simulateArgs(ctx, small), cwd: dir}
    },
    check: (stdout) => checkReport(stdout, SMALL_CUSTOMERS),
  },
]

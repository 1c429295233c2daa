// `joe events import` of a Segment NDJSON export (bench/lib/segment-events.js). Besides the
// timed runs of a 100,000-event file in the table, its check measures on 1,000,000 events:
//   (a) a raw better-sqlite3 insert of the same rows (read back from joe's own import, so they are
//       exactly the same values) into a fresh store with joe's schema and settings, one prepared
//       single-row INSERT per row, in one transaction, as joe's import uses one per file
//       (bench/lib/raw-insert.js, its own process, timed from BEGIN to COMMIT);
//   (b) joe events import of the file into a fresh store, as a process (start-up included);
//   the ratio of their throughputs (b)/(a), aim >= 0.7 (issue 13), and joe's peak RSS, aim < 300 MB.
// (a) and (b) alternate, three times each; the medians are compared.
// The files are generated once into bench/.work/ (kept between runs, keyed by the generator's code).
//
//   node bench/run.js --only import --runs 3
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {summarize} from '../lib/measure.js'
import {writeSegmentExport} from '../lib/segment-events.js'

const EVENTS = Number(process.env.JOE_BENCH_IMPORT_EVENTS ?? 1_000_000)
const TABLE_EVENTS = 100_000
const SAMPLES = 3
const AIM_RATIO = 0.7
const AIM_RSS_MB = 300

const fmt = (n, digits = 0) => n.toLocaleString('en-US', {maximumFractionDigits: digits, minimumFractionDigits: digits})

/** bench/.work/segment-<events>-<key>.ndjson, written on first use; the key changes with the generator's code. */
async function segmentFile(ctx, events) {
  const sources = [path.join(ctx.root, 'bench/lib/segment-events.js'), path.join(ctx.root, 'dist/core/store/generate-events.js')]
  const key = createHash('sha256')
    .update(sources.map((f) => readFileSync(f, 'utf8')).join('\n'))
    .digest('hex')
    .slice(0, 12)
  const dir = path.join(ctx.root, 'bench/.work')
  const file = path.join(dir, `segment-${events}-${key}.ndjson`)
  if (!existsSync(file)) {
    mkdirSync(dir, {recursive: true})
    if (!ctx.options.json) process.stderr.write(`writing ${fmt(events)} Segment events to ${file}\n`)
    await writeSegmentExport({root: ctx.root, file, count: events})
  }
  return file
}

const files = new Map()
async function prepareImportFiles(ctx) {
  for (const events of [TABLE_EVENTS, EVENTS]) files.set(events, await segmentFile(ctx, events))
}

const scratch = path.join(os.tmpdir(), `joe-bench-import-${process.pid}`)
const storePath = (name) => path.join(scratch, `${name}.db`)
const removeStore = (file) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, {force: true})
}

const hasTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], {stdio: 'ignore'}).status === 0

/** One joe import into a fresh store: wall time and peak RSS in MB. */
function importOnce(ctx, file) {
  const store = storePath('joe')
  removeStore(store)
  const args = [ctx.bin, 'events', 'import', file, '--store', store]
  const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss '+process.resourceUsage().maxRSS+'\\n'))`
  const [command, argv] = hasTime ? ['/usr/bin/time', ['-f', 'maxrss %M', ctx.node, ...args]] : [ctx.node, ['--import', hook, ...args]]
  const start = process.hrtime.bigint()
  const result = spawnSync(command, argv, {cwd: scratch, maxBuffer: 16 * 1024 * 1024})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`events import: exit code ${result.status}\n${String(result.stderr).slice(0, 2000)}`)
  const rss = /maxrss (\d+)\s*$/.exec(String(result.stderr))
  if (!rss) throw new Error('events import: no peak RSS reported')
  return {ms, rssMb: Number(rss[1]) / 1024, stdout: String(result.stdout), store}
}

/** (a): one raw insert of the rows joe stored in `rowsFrom` (bench/lib/raw-insert.js), as its own process. */
function rawInsertOnce(ctx, rowsFrom) {
  const result = spawnSync(ctx.node, [path.join(ctx.root, 'bench/lib/raw-insert.js'), rowsFrom, storePath('raw')], {
    cwd: scratch,
    maxBuffer: 1024 * 1024,
  })
  if (result.status !== 0) throw new Error(`raw insert: exit code ${result.status}\n${String(result.stderr).slice(0, 2000)}`)
  return JSON.parse(String(result.stdout))
}

/** @type {import('../run.js').Benchmark[]} */
export const importBenchmarks = [
  {
    name: 'import',
    title: `joe events import (${fmt(TABLE_EVENTS)} Segment events)`,
    prepare: prepareImportFiles,
    invocation: (ctx) => {
      mkdirSync(scratch, {recursive: true})
      process.on('exit', () => rmSync(scratch, {recursive: true, force: true}))
      const store = storePath('table')
      // A fresh store for every run: a second import of the same file would be a no-op.
      const fresh = ['', '-wal', '-shm'].map((suffix) => `${store}${suffix}`)
      return {command: ctx.node, args: [ctx.bin, 'events', 'import', files.get(TABLE_EVENTS), '--store', store], cwd: scratch, fresh}
    },
    check: (stdout, ctx) => {
      if (!/imported 100,000 events \(segment\)/.test(stdout)) throw new Error(`unexpected import output: ${stdout.slice(0, 300)}`)
      const file = files.get(EVENTS)
      const first = importOnce(ctx, file)
      if (!first.stdout.includes(`imported ${fmt(EVENTS)} events (segment)`)) throw new Error(`unexpected import output: ${first.stdout}`)
      // joe's store holds the rows (a), so they are exactly the same values; kept aside for every raw run.
      const rowsFrom = storePath('rows')
      removeStore(rowsFrom)
      renameSync(first.store, rowsFrom)
      // Interleaved, so a slow spell on the machine hits both alike.
      const runs = []
      const rawRuns = []
      for (let i = 0; i < SAMPLES; i++) {
        runs.push(importOnce(ctx, file))
        rawRuns.push(rawInsertOnce(ctx, rowsFrom))
      }
      const raw = {rows: rawRuns[0].rows, ms: summarize(rawRuns.map((r) => r.ms)).median, spread: rawRuns.map((r) => r.ms)}
      if (raw.rows !== EVENTS) throw new Error(`the raw insert got ${raw.rows} rows, expected ${EVENTS}`)
      const importMs = summarize(runs.map((r) => r.ms)).median
      const rss = Math.max(...runs.map((r) => r.rssMb))
      const rawPerS = (raw.rows / raw.ms) * 1000
      const joePerS = (EVENTS / importMs) * 1000
      const ratio = joePerS / rawPerS
      const met = {ratio: ratio >= AIM_RATIO, rss: rss < AIM_RSS_MB}
      const summary = {
        events: EVENTS,
        bytes: statSync(file).size,
        cpus: os.availableParallelism(),
        rawInsertRowsPerS: Math.round(rawPerS),
        rawInsertMs: raw.spread.map(Math.round),
        importLinesPerS: Math.round(joePerS),
        importMs: runs.map((r) => Math.round(r.ms)),
        ratio: Math.round(ratio * 1000) / 1000,
        peakRssMb: Math.round(rss),
        met,
      }
      const mark = (ok) => (ok ? 'met' : 'NOT MET')
      const range = (ms) => `${fmt(Math.min(...ms) / 1000, 2)}-${fmt(Math.max(...ms) / 1000, 2)} s`
      process.stderr.write(
        ctx.options.json
          ? `${JSON.stringify({import: summary})}\n`
          : `\nimport throughput: ${fmt(EVENTS)} Segment events (${fmt(summary.bytes / 1024 / 1024)} MiB), ${summary.cpus} CPUs, median of ${SAMPLES}\n` +
              `  (a) raw insert (better-sqlite3)      ${fmt(rawPerS).padStart(10)} rows/s   (${range(raw.spread)})\n` +
              `  (b) joe events import, start-up incl. ${fmt(joePerS).padStart(9)} lines/s  (${range(summary.importMs)})\n` +
              `  (b) / (a)                            ${fmt(ratio, 2).padStart(10)}          aim >= ${AIM_RATIO}: ${mark(met.ratio)}\n` +
              `  peak RSS of joe events import        ${fmt(rss).padStart(10)} MB       aim < ${AIM_RSS_MB} MB: ${mark(met.rss)}\n\n`,
      )
      if (ctx.options.check && !(met.ratio && met.rss)) process.exitCode = 1
    },
  },
]

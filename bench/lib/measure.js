// Times whole processes: spawn, run to exit, collect. Runs of all benchmarks are
// interleaved round by round, so a slow spell on the machine hits every
// benchmark alike instead of skewing the ratios between them.
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'

/**
 * @typedef {object} Invocation
 * @property {string} command executable
 * @property {string[]} args
 * @property {string} [cwd]
 * @property {Record<string, string | undefined>} [env] added to process.env
 * @property {number[]} [exitCodes] accepted exit codes (default [0])
 * @property {string[]} [fresh] files removed before every run (untimed), e.g. a store the command fills
 */

/**
 * Runs one invocation; returns wall time in milliseconds. Throws when it exits
 * with an unexpected code, with its stderr, since a failing command times nothing useful.
 * @param {string} name benchmark name, for messages
 * @param {Invocation} inv
 */
export function runOnce(name, inv) {
  for (const file of inv.fresh ?? []) rmSync(file, {force: true})
  const start = process.hrtime.bigint()
  const result = spawnSync(inv.command, inv.args, {
    cwd: inv.cwd,
    env: {...process.env, ...inv.env},
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.error) throw new Error(`${name}: ${result.error.message}`)
  const accepted = inv.exitCodes ?? [0]
  if (!accepted.includes(result.status ?? -1)) {
    const out = `${result.stderr}${result.stdout}`.trim().split('\n').slice(0, 20).join('\n')
    throw new Error(`${name}: exit code ${result.status ?? result.signal}, expected ${accepted.join(' or ')}\n${out}`)
  }
  return {ms, stdout: String(result.stdout)}
}

/** @param {number[]} values */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
  const sd = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, sorted.length - 1))
  return {median, min: sorted[0], max: sorted[sorted.length - 1], mean, sd}
}

/**
 * Warm-up rounds (timed but discarded), then `runs` timed rounds; each round
 * runs every invocation once, in order.
 * @param {{name: string, invocation: Invocation}[]} items
 * @param {{runs: number, warmup: number, onProgress?: (done: number, total: number) => void}} options
 * @returns {Map<string, number[]>} times in ms by name
 */
export function measureInterleaved(items, {runs, warmup, onProgress}) {
  const times = new Map(items.map((item) => [item.name, []]))
  const total = (runs + warmup) * items.length
  let done = 0
  for (let round = 0; round < warmup + runs; round++) {
    for (const item of items) {
      const {ms} = runOnce(item.name, item.invocation)
      if (round >= warmup) times.get(item.name).push(ms)
      onProgress?.(++done, total)
    }
  }
  return times
}

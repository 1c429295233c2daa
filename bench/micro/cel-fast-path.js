#!/usr/bin/env node
// Micro-benchmark (after the build): CEL evaluation with and without the fast
// path of src/core/expr/fast-eval.ts, on every expression of the starter
// templates, against the profiles and events of their own test cases.
//
//   node bench/micro/cel-fast-path.js [--rounds 21] [--min-ms 100] [--json]
//
// Both variants are compiled once and then timed in alternating rounds, so a
// slow spell on the machine hits both alike; each round runs every
// (expression, bindings) pair as often as it takes to fill --min-ms. Time is
// this process's CPU time (user + system), which other processes competing for
// the cores disturb far less than wall time. Prints
// nanoseconds per evaluation for each and the ratio library / fast path (above
// 1: the fast path wins). With --json, one JSON object on stdout.
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {parse} from 'yaml'

const root = fileURLToPath(new URL('../../', import.meta.url))
const {compileExpression} = await import(path.join(root, 'dist/core/expr/cel.js'))
const {expressionSites} = await import(path.join(root, 'dist/core/journey/rules/expression-rules.js'))
const {rawSteps} = await import(path.join(root, 'dist/core/journey/rules/rule-context.js'))

const {values} = parseArgs({
  options: {
    rounds: {type: 'string', default: '21'},
    'min-ms': {type: 'string', default: '100'},
    json: {type: 'boolean', default: false},
  },
})
const ROUNDS = Number(values.rounds)
const MIN_MS = Number(values['min-ms'])

const templates = path.join(root, 'templates')
const read = (file) => parse(readFileSync(path.join(templates, file), 'utf8'))
const files = readdirSync(templates).sort()

/** One workload item per (expression site, test case event): what the engine would evaluate. */
function workload() {
  const items = []
  for (const file of files.filter((f) => f.endsWith('.journey.yaml'))) {
    const raw = read(file)
    const sites = expressionSites({raw, steps: rawSteps(raw)})
    const tests = read(file.replace(/\.journey\.yaml$/, '.test.yaml'))
    for (const testCase of tests.cases ?? []) {
      const profile = testCase.profile ?? {}
      let at = Date.parse('2026-03-02T10:00:00Z')
      for (const event of testCase.events ?? []) {
        // Relative times ("+3h") only move the clock; the exact instant does not matter here.
        at = String(event.at).startsWith('+') ? at + 3_600_000 : Date.parse(event.at)
        const bindings = {
          event: {type: event.type, timestamp: at, properties: event.properties ?? {}},
          profile,
          journey: {id: raw.id, entered_at: at - 3_600_000},
          now: at,
          channel: 'email',
        }
        for (const site of sites) {
          const {event: _unbound, ...withoutEvent} = bindings
          items.push({site, bindings: site.context === 'profile-condition' ? withoutEvent : bindings})
        }
      }
    }
  }
  return items
}

const items = workload()
const fast = items.map(({site}) => compileExpression(site.source, site.context))
const library = items.map(({site}) => compileExpression(site.source, site.context, {fast: false}))

// Both variants must agree, or the comparison means nothing.
for (const [i, item] of items.entries()) {
  const a = JSON.stringify(fast[i].evaluate(item.bindings))
  const b = JSON.stringify(library[i].evaluate(item.bindings))
  if (a !== b) throw new Error(`fast path and library disagree on ${item.site.source}: ${a} vs ${b}`)
}

let sink = 0
function pass(compiled) {
  for (let i = 0; i < items.length; i++) if (compiled[i].evaluate(items[i].bindings).ok) sink++
}

/** CPU milliseconds this process has used. */
function cpuMs() {
  const {user, system} = process.cpuUsage()
  return (user + system) / 1000
}

/** Passes per round: enough for the slower variant to take about MIN_MS. */
function calibrate() {
  let passes = 1
  for (;;) {
    const start = cpuMs()
    for (let p = 0; p < passes; p++) pass(library)
    const ms = cpuMs() - start
    if (ms >= MIN_MS) return passes
    passes = Math.ceil(passes * Math.min(10, Math.max(2, (MIN_MS * 1.2) / Math.max(ms, 0.01))))
  }
}

/** CPU nanoseconds per evaluation. */
function time(compiled, passes) {
  const start = cpuMs()
  for (let p = 0; p < passes; p++) pass(compiled)
  return ((cpuMs() - start) * 1e6) / (passes * items.length)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

const passes = calibrate()
time(fast, passes)
time(library, passes)
const fastNs = []
const libraryNs = []
const ratios = []
for (let round = 0; round < ROUNDS; round++) {
  const f = time(fast, passes)
  const l = time(library, passes)
  fastNs.push(f)
  libraryNs.push(l)
  ratios.push(l / f)
}
const result = {
  expressions: new Set(items.map((item) => `${item.site.context}\u0000${item.site.source}`)).size,
  evaluationsPerRound: passes * items.length * 2,
  rounds: ROUNDS,
  fastNsPerEval: Math.round(median(fastNs)),
  libraryNsPerEval: Math.round(median(libraryNs)),
  ratio: Math.round(median(ratios) * 100) / 100,
  sink,
}
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`)
else {
  process.stdout.write(
    `CEL evaluation on the templates' ${result.expressions} expressions (${items.length} evaluations a pass), median of ${ROUNDS} rounds\n` +
      `  library only      ${String(result.libraryNsPerEval).padStart(7)} ns/evaluation\n` +
      `  with fast path    ${String(result.fastNsPerEval).padStart(7)} ns/evaluation\n` +
      `  library / fast    ${result.ratio.toFixed(2).padStart(7)}x\n`,
  )
}

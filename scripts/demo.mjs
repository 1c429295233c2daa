#!/usr/bin/env node
// `npm run demo` (after the build): joe's whole story on the example project in examples/.
//   1. validate the journeys, templates and config; run the journey tests
//   2. import the sample events and simulate every journey over them
//   3. deploy to `dev` (a manual-clock environment), start `joe serve --env dev`, and rehearse the
//      same sample events live (`joe events send --replay` moves the clock to each event's time)
//   4. print the messages the live run sent beside the ones the simulation predicted: they are equal
// The dev environment is reset first, so the rehearsal starts from a clean store every time.
import {spawn, spawnSync} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const project = path.join(root, 'examples')
const bin = path.join(root, 'bin/run.js')
const env = {...process.env, JOE_DEV_WRITE_KEY: process.env.JOE_DEV_WRITE_KEY ?? 'demo-write-key'}

function joe(args, {quiet = false} = {}) {
  if (!quiet) console.log(`\n$ joe ${args.join(' ')}`)
  const run = spawnSync(process.execPath, [bin, ...args], {cwd: project, env, encoding: 'utf8', stdio: quiet ? 'pipe' : ['ignore', 'inherit', 'inherit']})
  if (run.status !== 0) {
    if (quiet) process.stderr.write(run.stdout + run.stderr)
    console.error(`\njoe ${args.join(' ')} failed (exit ${run.status})`)
    process.exit(1)
  }
  return run.stdout
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

for (const file of ['.joe/events.db', '.joe/dev.db', '.joe/dev-messages.ndjson']) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(project, file + suffix), {force: true})
}

console.log('== 1. Check: validate and test')
joe(['validate'])
joe(['test'])

console.log('\n== 2. Predict: import the sample events and simulate')
joe(['events', 'import', 'events/sample.ndjson'])
joe(['simulate', 'journeys'])
const trace = path.join(project, '.joe/simulated-trace.ndjson')
joe(['simulate', 'journeys', '--trace', trace, '--json'], {quiet: true})
const predicted = readFileSync(trace, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line))
  .filter((t) => t.kind === 'send')
  .map((t) => ({at: t.at, customer: t.customer_id, journey: t.journey, message: t.detail}))

console.log('\n== 3. Rehearse live: deploy to dev, run joe serve, replay the sample events on its manual clock')
joe(['deploy', '--env', 'dev', '--yes'])
const server = spawn(process.execPath, [bin, 'serve', '--env', 'dev', '--port', '0', '--log-level', 'warn'], {cwd: project, env, stdio: ['ignore', 'inherit', 'pipe']})
let serverErr = ''
server.stderr.on('data', (chunk) => {
  serverErr += chunk
  process.stderr.write(chunk)
})
try {
  while (!/joe serve: environment dev on/.test(serverErr)) {
    if (server.exitCode !== null) throw new Error('joe serve stopped')
    await sleep(100)
  }
  joe(['events', 'send', '--env', 'dev', 'events/sample.ndjson', '--replay'])
  // The simulation runs to the last event; let the live clock pass it so timers due then fire too.
  const last = Math.max(...readFileSync(path.join(project, 'events/sample.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => Date.parse(JSON.parse(l).timestamp)))
  joe(['clock', '--env', 'dev', 'set', new Date(last + 1).toISOString()])
  for (;;) {
    const outbox = JSON.parse(joe(['outbox', '--env', 'dev', '--json'], {quiet: true}))
    if (outbox.backlog.events === 0 && outbox.backlog.customers_due === 0 && outbox.counts.pending === 0) break
    await sleep(200)
  }
} finally {
  server.kill('SIGTERM')
}
const sent = JSON.parse(joe(['outbox', '--env', 'dev', '--status', 'sent', '--limit', '100000', '--json'], {quiet: true})).messages.map((m) => ({
  at: m.decided_at,
  customer: m.customer_id,
  journey: m.journey,
  message: `${m.channel} ${m.template}`,
}))

console.log('\n== 4. Compare: what the simulation predicted, and what the live run sent')
const key = (m) => `${m.at} ${m.customer} ${m.journey} ${m.message}`
const live = new Set(sent.map(key))
const simulated = new Set(predicted.map(key))
const all = [...new Set([...simulated, ...live])].sort()
console.log(`${'instant'.padEnd(25)}${'customer'.padEnd(10)}${'journey'.padEnd(18)}${'message'.padEnd(34)}simulated  live`)
for (const line of all) {
  const [at, customer, journey, ...message] = line.split(' ')
  console.log(`${at.padEnd(25)}${customer.padEnd(10)}${journey.padEnd(18)}${message.join(' ').padEnd(34)}${simulated.has(line) ? '    ✓    ' : '    -    '}  ${live.has(line) ? '✓' : '-'}`)
}
const equal = all.every((line) => simulated.has(line) && live.has(line))
console.log(
  equal
    ? `\n✔ equal: the live run sent exactly the ${sent.length} messages the simulation predicted, at the same instants`
    : '\n✖ the live run and the simulation differ (see the table): this is a bug in joe, please report it',
)
process.exit(equal ? 0 : 1)

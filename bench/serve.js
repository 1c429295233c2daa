#!/usr/bin/env node
// `npm run bench` (after the build), part 2: `joe serve` end to end, on the embedded SQLite store.
//
// (a) Baseline: the events inserted into an environment store's event table with better-sqlite3
//     directly, in the same batch sizes (one transaction per batch), in events/s.
// (b) joe: the same events POSTed to `joe serve` (Segment's /v1/batch, gzip off) by 4 concurrent
//     clients, running the cart-abandonment template; events/s from the first request until the
//     worker has processed every event. Aim: (b)/(a) >= 0.5.
// (c) Latency: a steady 500 events/s (50 requests of 10 events per second) for 10 s into a journey
//     that sends at once; p50/p99 from each request's start to its send's outbox row. Aim p99 < 50 ms.
// (d) Peak RSS of the joe serve process.
//
//   node bench/serve.js [--events 100000] [--json]
import {spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = fileURLToPath(new URL('../', import.meta.url))
const require = createRequire(import.meta.url)
const Database = require('better-sqlite3')
const bin = path.join(root, 'bin/run.js')
const KEY = 'bench-key'
const BATCH = 500
const CLIENTS = 4
const AIM_RATIO = 0.5
const AIM_P99_MS = 50

const {values} = parseArgs({options: {events: {type: 'string', default: '100000'}, json: {type: 'boolean', default: false}}})
const EVENTS = Number(values.events)
const log = (text) => {
  if (!values.json) process.stderr.write(`${text}\n`)
}

/** Synthetic Segment track calls: customers touch their carts (half over the template's 50 threshold) and browse. */
function makeEvents(n, start) {
  const events = []
  for (let i = 0; i < n; i++) {
    const customer = `c${i % Math.max(1, Math.floor(n / 5))}`
    const cart = i % 3 !== 2
    events.push({
      type: 'track',
      userId: customer,
      event: cart ? 'cart_updated' : 'page_viewed',
      properties: cart ? {cart_value: (i * 37) % 120, items: 1 + (i % 4)} : {path: `/p/${i % 50}`},
      messageId: `bench-${start}-${i}`,
      timestamp: new Date(start + i).toISOString(),
    })
  }
  return events
}

function project(dir, journey) {
  mkdirSync(path.join(dir, 'journeys'), {recursive: true})
  writeFileSync(
    path.join(dir, 'joe.config.yaml'),
    `environments:\n  bench:\n    store: "sqlite:.joe/bench.db"\n    write_keys: ["${KEY}"]\n    channels:\n      email: { connector: file, path: .joe/messages.ndjson }\n      sms: { connector: file, path: .joe/messages.ndjson }\n      push: { connector: file, path: .joe/messages.ndjson }\n`,
  )
  if (journey === 'template')
    copyFileSync(path.join(root, 'templates/cart-abandonment.journey.yaml'), path.join(dir, 'journeys/cart-abandonment.journey.yaml'))
  else
    writeFileSync(
      path.join(dir, 'journeys/now.journey.yaml'),
      'version: 1\nid: now\nname: Now\nentry: { event: cart_updated }\nreentry: always\nsteps:\n  - { id: s, send: { channel: email, template: ping } }\n',
    )
}

function run(args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let err = ''
    child.stderr.on('data', (c) => {
      err += c
    })
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`joe ${args.join(' ')}: ${err}`))))
  })
}

async function startServe(cwd) {
  const profile = process.env.JOE_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.JOE_BENCH_PROFILE] : []
  const child = spawn(process.execPath, [...profile, bin, 'serve', '--env', 'bench', '--port', '0', '--log-level', 'error'], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr.on('data', (c) => {
    err += c
  })
  for (;;) {
    const match = /on (http:\/\/\S+) \(clock/.exec(err)
    if (match) return {child, url: match[1]}
    if (child.exitCode !== null) throw new Error(`joe serve exited: ${err}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function peakRssMb(pid) {
  try {
    const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return Math.round(kb / 1024)
  } catch {
    return undefined
  }
}

const auth = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`
async function post(url, batch) {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: {'content-type': 'application/json', authorization: auth},
    body: JSON.stringify({batch}),
  })
  if (response.status !== 200) throw new Error(`POST /v1/batch: ${response.status} ${await response.text()}`)
}

function baseline(dir, events) {
  const db = new Database(path.join(dir, 'raw.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(`CREATE TABLE joe_events (env TEXT NOT NULL, seq BIGINT NOT NULL, customer_id TEXT NOT NULL, type TEXT NOT NULL, ts BIGINT NOT NULL,
    received_at BIGINT NOT NULL, properties TEXT NOT NULL, message_id TEXT, source TEXT NOT NULL, PRIMARY KEY (env, seq));
    CREATE UNIQUE INDEX joe_events_message ON joe_events (env, message_id); CREATE INDEX joe_events_customer ON joe_events (env, customer_id, seq);`)
  const insert = db.prepare('INSERT INTO joe_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const tx = db.transaction((rows, first) => {
    rows.forEach((e, i) => {
      insert.run(
        'bench',
        first + i,
        e.userId,
        e.event,
        Date.parse(e.timestamp),
        Date.now(),
        JSON.stringify(e.properties),
        e.messageId,
        'http',
      )
    })
  })
  const started = performance.now()
  for (let i = 0; i < events.length; i += BATCH) tx(events.slice(i, i + BATCH), i + 1)
  const seconds = (performance.now() - started) / 1000
  db.close()
  return events.length / seconds
}

async function throughput(dir, events) {
  project(dir, 'template')
  await run(['deploy', '--env', 'bench', '--yes'], dir)
  const {child, url} = await startServe(dir)
  const store = new Database(path.join(dir, '.joe/bench.db'), {readonly: true})
  const processed = store.prepare(
    "SELECT (SELECT COUNT(*) FROM joe_events WHERE env = 'bench') AS received, (SELECT COALESCE(SUM(processed_seq), 0) FROM (SELECT MAX(processed_seq) AS processed_seq FROM joe_customers WHERE env = 'bench')) AS seq, (SELECT COUNT(*) FROM joe_customers WHERE env = 'bench' AND pending = 1) AS pending, (SELECT dispatched_seq FROM joe_runtime WHERE env = 'bench') AS dispatched",
  )
  const batches = []
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH))
  const started = performance.now()
  let next = 0
  await Promise.all(
    Array.from({length: CLIENTS}, async () => {
      while (next < batches.length) await post(url, batches[next++])
    }),
  )
  const ingested = performance.now()
  for (;;) {
    const row = processed.get()
    if (row.received >= events.length && row.pending === 0 && row.dispatched >= events.length) break
    await new Promise((r) => setTimeout(r, 20))
  }
  const done = performance.now()
  const rss = peakRssMb(child.pid)
  child.kill('SIGTERM')
  await new Promise((r) => child.on('exit', r))
  store.close()
  return {ingestPerSecond: events.length / ((ingested - started) / 1000), endToEndPerSecond: events.length / ((done - started) / 1000), rss}
}

async function latency(dir) {
  project(dir, 'now')
  await run(['deploy', '--env', 'bench', '--yes'], dir)
  const {child, url} = await startServe(dir)
  const store = new Database(path.join(dir, '.joe/bench.db'), {readonly: true})
  const sends = store.prepare("SELECT customer_id, created_at FROM joe_outbox WHERE env = 'bench'")
  const started = new Map()
  const seconds = 10
  const perSecond = 50
  const t0 = performance.now()
  const pending = []
  for (let r = 0; r < seconds * perSecond; r++) {
    const due = t0 + (r * 1000) / perSecond
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const batch = Array.from({length: 10}, (_, i) => ({
      type: 'track',
      userId: `l${r}-${i}`,
      event: 'cart_updated',
      properties: {cart_value: 80},
      messageId: `lat-${r}-${i}`,
    }))
    const at = Date.now()
    for (const e of batch) started.set(e.userId, at)
    pending.push(post(url, batch))
  }
  await Promise.all(pending)
  let rows = []
  for (let i = 0; i < 500; i++) {
    rows = sends.all()
    if (rows.length >= started.size) break
    await new Promise((r) => setTimeout(r, 20))
  }
  const latencies = rows.map((row) => Number(row.created_at) - started.get(row.customer_id)).sort((a, b) => a - b)
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
  child.kill('SIGTERM')
  await new Promise((r) => child.on('exit', r))
  store.close()
  return {sends: latencies.length, p50: pick(0.5), p99: pick(0.99), max: latencies.at(-1)}
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'joe-bench-serve-'))
  try {
    const events = makeEvents(EVENTS, Date.UTC(2026, 2, 2))
    log(
      `joe serve: ${EVENTS.toLocaleString('en-US')} events in batches of ${BATCH}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}`,
    )
    const raw = baseline(dir, events)
    const joe = await throughput(path.join(dir, 'throughput'), events)
    const lat = await latency(path.join(dir, 'latency'))
    const ratio = joe.endToEndPerSecond / raw
    const result = {
      events: EVENTS,
      raw_insert_per_second: Math.round(raw),
      ingest_per_second: Math.round(joe.ingestPerSecond),
      end_to_end_per_second: Math.round(joe.endToEndPerSecond),
      ratio: Math.round(ratio * 100) / 100,
      aim_ratio: AIM_RATIO,
      latency_ms: lat,
      aim_p99_ms: AIM_P99_MS,
      peak_rss_mb: joe.rss,
    }
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    else {
      const n = (v) => Math.round(v).toLocaleString('en-US').padStart(9)
      log(`  (a) raw insert (better-sqlite3, ${BATCH}/transaction)  ${n(raw)} events/s`)
      log(
        `  (b) joe serve, HTTP to processed                ${n(joe.endToEndPerSecond)} events/s   (ingest alone ${n(joe.ingestPerSecond).trim()} events/s)`,
      )
      log(
        `  (b) / (a)                                        ${ratio.toFixed(2).padStart(9)}          aim >= ${AIM_RATIO}: ${ratio >= AIM_RATIO ? 'met' : 'NOT MET'}`,
      )
      log(
        `  (c) request -> outbox row at 500 events/s    p50 ${String(lat.p50).padStart(5)} ms, p99 ${lat.p99} ms (max ${lat.max}, ${lat.sends} sends)   aim p99 < ${AIM_P99_MS} ms: ${lat.p99 < AIM_P99_MS ? 'met' : 'NOT MET'}`,
      )
      log(`  (d) peak RSS of joe serve                        ${n(joe.rss ?? 0)} MB`)
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

await main()

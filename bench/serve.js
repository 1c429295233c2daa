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
// With --postgres URL (or JOE_BENCH_POSTGRES_URL), the same on PostgreSQL, in a schema of its own:
// (e) the baseline: the same batched inserts into the same PostgreSQL with `pg` directly;
// (f) end to end with one ingest process and 1, then 2 worker processes (`joe serve --role`), and
//     the scaling ratio 2 workers / 1 worker; aim: at least 2,000 events/s;
// (g) latency at 500 events/s (ingest, 2 workers); aim p99 < 100 ms; (h) worker peak RSS.
//
//   node bench/serve.js [--events 100000] [--postgres URL] [--json]
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

const {values} = parseArgs({
  options: {
    events: {type: 'string', default: '100000'},
    postgres: {type: 'string', default: process.env.JOE_BENCH_POSTGRES_URL},
    json: {type: 'boolean', default: false},
  },
})
const EVENTS = Number(values.events)
const AIM_PG_EVENTS_PER_SECOND = 2_000
const AIM_PG_P99_MS = 100
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

function project(dir, journey, store = 'sqlite:.joe/bench.db') {
  mkdirSync(path.join(dir, 'journeys'), {recursive: true})
  writeFileSync(
    path.join(dir, 'joe.config.yaml'),
    `environments:\n  bench:\n    store: "${store}"\n    write_keys: ["${KEY}"]\n    channels:\n      email: { connector: file, path: .joe/messages.ndjson }\n      sms: { connector: file, path: .joe/messages.ndjson }\n      push: { connector: file, path: .joe/messages.ndjson }\n`,
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

/** All the events POSTed in batches of BATCH by CLIENTS concurrent clients, as fast as joe takes them. */
async function postAll(url, events) {
  const batches = []
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH))
  let next = 0
  await Promise.all(
    Array.from({length: CLIENTS}, async () => {
      while (next < batches.length) await post(url, batches[next++])
    }),
  )
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
  const started = performance.now()
  await postAll(url, events)
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
  const result = await measureLatency(url, async () => sends.all())
  child.kill('SIGTERM')
  await new Promise((r) => child.on('exit', r))
  store.close()
  return result
}

/** 50 requests of 10 events per second for 10 s; each event's customer gets one send at once. */
async function measureLatency(url, readSends) {
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
    rows = await readSends()
    if (rows.length >= started.size) break
    await new Promise((r) => setTimeout(r, 20))
  }
  const latencies = rows.map((row) => Number(row.created_at) - started.get(row.customer_id)).sort((a, b) => a - b)
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
  return {sends: latencies.length, p50: pick(0.5), p99: pick(0.99), max: latencies.at(-1)}
}

/** A schema of its own in the PostgreSQL database, and the store URL that uses it. */
async function pgSchema(url) {
  const {default: pg} = await import('pg')
  const schema = `joe_bench_${process.pid}_${Math.floor(performance.now())}`
  const admin = new pg.Client({connectionString: url})
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  const store = new URL(url)
  store.searchParams.set('options', `-c search_path=${schema}`)
  return {
    store: store.toString(),
    client: async () => {
      const c = new pg.Client({connectionString: store.toString()})
      await c.connect()
      return c
    },
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin.end()
    },
  }
}

async function pgBaseline(url, events) {
  const db = await pgSchema(url)
  const c = await db.client()
  try {
    await c.query(`CREATE TABLE joe_events (env TEXT NOT NULL, seq BIGINT NOT NULL, customer_id TEXT NOT NULL, type TEXT NOT NULL, ts BIGINT NOT NULL,
      received_at BIGINT NOT NULL, properties TEXT NOT NULL, message_id TEXT, source TEXT NOT NULL, PRIMARY KEY (env, seq));
      CREATE UNIQUE INDEX joe_events_message ON joe_events (env, message_id); CREATE INDEX joe_events_customer ON joe_events (env, customer_id, seq);`)
    const started = performance.now()
    for (let i = 0; i < events.length; i += BATCH) {
      const rows = events.slice(i, i + BATCH).map((e, j) => ({
        seq: i + j + 1,
        customer_id: e.userId,
        type: e.event,
        ts: Date.parse(e.timestamp),
        properties: JSON.stringify(e.properties),
        message_id: e.messageId,
      }))
      await c.query(
        `INSERT INTO joe_events SELECT 'bench', x.seq, x.customer_id, x.type, x.ts, $2, x.properties, x.message_id, 'http'
         FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, customer_id text, type text, ts bigint, properties text, message_id text)`,
        [JSON.stringify(rows), Date.now()],
      )
    }
    return events.length / ((performance.now() - started) / 1000)
  } finally {
    await c.end()
    await db.drop()
  }
}

/** End to end on PostgreSQL: one ingest process, `workers` worker processes. */
async function pgThroughput(url, dir, events, workers) {
  const db = await pgSchema(url)
  try {
    project(dir, 'template', db.store)
    await run(['deploy', '--env', 'bench', '--yes'], dir)
    const ingest = await startServe(dir, 'ingest')
    const procs = [ingest]
    for (let i = 0; i < workers; i++) procs.push(await startServe(dir, 'worker'))
    const c = await db.client()
    const started = performance.now()
    await postAll(ingest.url, events)
    for (;;) {
      const {rows} = await c.query(
        "SELECT (SELECT COUNT(*) FROM joe_customers WHERE env = 'bench' AND pending = 1) AS pending, (SELECT dispatched_seq FROM joe_runtime WHERE env = 'bench') AS dispatched",
      )
      if (Number(rows[0].pending) === 0 && Number(rows[0].dispatched) >= events.length) break
      await new Promise((r) => setTimeout(r, 20))
    }
    const done = performance.now()
    const rss = Math.max(...procs.slice(1).map((p) => peakRssMb(p.child.pid) ?? 0))
    for (const p of procs) p.child.kill('SIGTERM')
    await Promise.all(procs.map((p) => new Promise((r) => p.child.on('exit', r))))
    await c.end()
    return {perSecond: events.length / ((done - started) / 1000), workerRss: rss}
  } finally {
    await db.drop()
  }
}

async function pgLatency(url, dir) {
  const db = await pgSchema(url)
  try {
    project(dir, 'now', db.store)
    await run(['deploy', '--env', 'bench', '--yes'], dir)
    const ingest = await startServe(dir, 'ingest')
    const procs = [ingest, await startServe(dir, 'worker'), await startServe(dir, 'worker')]
    const c = await db.client()
    const result = await measureLatency(
      ingest.url,
      async () => (await c.query("SELECT customer_id, created_at FROM joe_outbox WHERE env = 'bench'")).rows,
    )
    for (const p of procs) p.child.kill('SIGTERM')
    await Promise.all(procs.map((p) => new Promise((r) => p.child.on('exit', r))))
    await c.end()
    return result
  } finally {
    await db.drop()
  }
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
    if (values.postgres) {
      const pgEvents = events.slice(0, Math.min(EVENTS, 50_000))
      log(`joe serve on PostgreSQL: ${pgEvents.length.toLocaleString('en-US')} events`)
      const base = await pgBaseline(values.postgres, pgEvents)
      const one = await pgThroughput(values.postgres, path.join(dir, 'pg1'), pgEvents, 1)
      const two = await pgThroughput(values.postgres, path.join(dir, 'pg2'), pgEvents, 2)
      const pgLat = await pgLatency(values.postgres, path.join(dir, 'pglat'))
      result.postgres = {
        events: pgEvents.length,
        raw_insert_per_second: Math.round(base),
        one_worker_per_second: Math.round(one.perSecond),
        two_workers_per_second: Math.round(two.perSecond),
        scaling: Math.round((two.perSecond / one.perSecond) * 100) / 100,
        ratio_to_raw: Math.round((two.perSecond / base) * 100) / 100,
        aim_events_per_second: AIM_PG_EVENTS_PER_SECOND,
        latency_ms: pgLat,
        aim_p99_ms: AIM_PG_P99_MS,
        worker_peak_rss_mb: Math.max(one.workerRss, two.workerRss),
      }
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
      const pg = result.postgres
      if (pg) {
        log(`  (e) raw insert into PostgreSQL (pg, ${BATCH}/statement) ${n(pg.raw_insert_per_second)} events/s`)
        log(`  (f) joe serve, 1 ingest + 1 worker              ${n(pg.one_worker_per_second)} events/s`)
        log(
          `      joe serve, 1 ingest + 2 workers             ${n(pg.two_workers_per_second)} events/s   scaling x${pg.scaling}, ${pg.ratio_to_raw} of the raw insert; aim >= ${AIM_PG_EVENTS_PER_SECOND}: ${pg.two_workers_per_second >= AIM_PG_EVENTS_PER_SECOND ? 'met' : 'NOT MET'}`,
        )
        log(
          `  (g) request -> outbox row at 500 events/s    p50 ${String(pg.latency_ms.p50).padStart(5)} ms, p99 ${pg.latency_ms.p99} ms (max ${pg.latency_ms.max})   aim p99 < ${AIM_PG_P99_MS} ms: ${pg.latency_ms.p99 < AIM_PG_P99_MS ? 'met' : 'NOT MET'}`,
        )
        log(`  (h) worker peak RSS                              ${n(pg.worker_peak_rss_mb)} MB`)
      } else log('  (PostgreSQL part skipped: give --postgres URL or JOE_BENCH_POSTGRES_URL)')
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

await main()

#!/usr/bin/env node
// The yardstick of the import benchmark: a plain better-sqlite3 insert of given rows into a fresh
// store with joe's schema and settings, one prepared single-row INSERT per row, all in one
// transaction (joe imports a file in one). The rows are read from a store first (untimed); the time
// printed is from BEGIN to COMMIT.
//
//   node bench/lib/raw-insert.js ROWS_FROM.db TARGET.db   ->   {"rows": N, "ms": T}
import {rmSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const Database = createRequire(path.join(root, 'package.json'))('better-sqlite3')
const {openEventStore} = await import(pathToFileURL(path.join(root, 'dist/core/store/open-store.js')).href)

const [from, target] = process.argv.slice(2)
if (!from || !target) throw new Error('usage: raw-insert.js ROWS_FROM.db TARGET.db')
const source = new Database(from, {readonly: true})
const rows = source.prepare('SELECT customer_id, type, ts, properties, message_id FROM events ORDER BY seq').raw(true).all()
source.close()
for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, {force: true})
const {db} = openEventStore(target)
const start = process.hrtime.bigint()
db.exec('BEGIN IMMEDIATE')
const importId = db
  .prepare("INSERT INTO imports (source_name, format, byte_size, imported_at) VALUES ('raw', 'segment', 0, 0)")
  .run().lastInsertRowid
const insert = db.prepare(
  'INSERT OR IGNORE INTO events (customer_id, type, ts, properties, message_id, import_id) VALUES (?, ?, ?, ?, ?, ?)',
)
for (const [customerId, type, ts, properties, messageId] of rows) insert.run(customerId, type, ts, properties, messageId, importId)
db.exec('COMMIT')
const ms = Number(process.hrtime.bigint() - start) / 1e6
db.close()
for (const suffix of ['', '-wal', '-shm']) rmSync(`${target}${suffix}`, {force: true})
process.stdout.write(`${JSON.stringify({rows: rows.length, ms})}\n`)

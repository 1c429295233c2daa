#!/usr/bin/env node
// The yardstick of the simulate benchmarks: one process that reads every row of a store's events
// table in the order a replay needs them (customer, then time), single-threaded, with plain
// better-sqlite3 and nothing else: what reading the store costs, start-up included. It loads the
// same better-sqlite3 as joe, from the same node_modules, and prints the row count.
//
//   node bench/lib/raw-scan.js STORE.db   ->   992694
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const Database = createRequire(path.join(root, 'package.json'))('better-sqlite3')

const file = process.argv[2]
if (!file) throw new Error('usage: raw-scan.js STORE.db')
const db = new Database(file, {readonly: true})
const rows = db.prepare('SELECT seq, customer_id, type, ts, properties FROM events ORDER BY customer_id, ts, seq').raw(true)
let count = 0
for (const _ of rows.iterate()) count++
db.close()
process.stdout.write(`${count}\n`)

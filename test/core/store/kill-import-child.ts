// Run by kill-import.test.ts in a child process: imports a large file, reporting progress on stdout.
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'

const [storePath, filePath] = process.argv.slice(2) as [string, string]
const store = openEventStore(storePath)
await importEvents(store, filePath, {
  now: 0,
  progressEvery: 5000,
  onProgress: (progress) => process.stdout.write(`progress ${progress.lines}\n`),
})
process.stdout.write('done\n')

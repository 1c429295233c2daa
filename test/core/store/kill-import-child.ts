// Run by kill-import.test.ts in a child process: imports a large file, reporting progress on stdout.
// Past 200,000 lines it stops inside the import's transaction and waits there until killed, so the
// kill always lands mid-import, however fast or slow the machine is.
import {writeSync} from 'node:fs'
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'

const [storePath, filePath] = process.argv.slice(2) as [string, string]
const store = openEventStore(storePath)
await importEvents(store, filePath, {
  now: 0,
  progressEvery: 5000,
  onProgress: (progress) => {
    writeSync(1, `progress ${progress.lines}\n`)
    if (progress.lines >= 200_000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
  },
})
process.stdout.write('done\n')

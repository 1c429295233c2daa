// Worker thread entry of the journey checks (see check-threads.ts): checks chunks of journey files
// and sends back each chunk's results. Built as its own bundle (scripts/bundle-commands.js) and
// found next to check-threads.js at run time.
import {parentPort, workerData} from 'node:worker_threads'
import {type CheckWorkerInput, type CheckWorkerMessage, checkChunks} from './check-threads.js'

const input = workerData as CheckWorkerInput
const send = (message: CheckWorkerMessage) => parentPort?.postMessage(message)

// A chunk that fails here is not delivered; the main thread checks it again and reports what fails.
checkChunks(input, new Int32Array(input.control), (index, results) => send({kind: 'chunk', index, results}))
  .catch(() => {})
  .finally(() => send({kind: 'done'}))

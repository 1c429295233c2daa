import {createRequire} from 'node:module'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {Worker, type WorkerOptions} from 'node:worker_threads'

/**
 * Starts a worker thread from an entry file named relative to the calling module (`callerUrl`, its
 * import.meta.url): the bundled or compiled `<name>.js` next to it, or, when the caller itself runs
 * as TypeScript (vitest, tsx, bin/dev.js), `<name>.ts` loaded through tsx's API inside the worker.
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions): Worker {
  const self = new URL(callerUrl)
  const tsx = self.pathname.endsWith('.ts')
  const file = new URL(`./${name}${tsx ? '.ts' : '.js'}`, self)
  if (!tsx) return new Worker(file, options)
  const tsxRoot = path.dirname(createRequire(callerUrl).resolve('tsx/package.json'))
  const api = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs'))
  const code = `import(${JSON.stringify(api.href)}).then((tsx) => tsx.tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(file.href)}))`
  return new Worker(code, {...options, eval: true})
}

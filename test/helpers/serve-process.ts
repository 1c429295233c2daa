// `joe serve` as a child process (the built CLI), and a webhook endpoint that records what it receives.
import {createServer, type IncomingMessage, type Server} from 'node:http'
import {type AddressInfo, createServer as createNetServer} from 'node:net'
import path from 'node:path'
import {execa} from 'execa'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const BIN = path.join(ROOT, 'bin/run.js')

export interface ServeProcess {
  url: string
  /** Sends a signal to the process. */
  kill(signal: NodeJS.Signals): void
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | undefined>
  /** Everything written to standard error so far (JSON log lines). */
  stderr(): string
  /** SIGTERM, then waits for the exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | undefined>
}

/** Starts `joe serve --env ENV --port 0` in `cwd` and waits for the line that says where it listens. */
export async function startServe(
  cwd: string,
  env: string,
  extraEnv: Record<string, string> = {},
  args: string[] = [],
): Promise<ServeProcess> {
  const port = args.includes('--port') ? [] : ['--port', '0']
  const child = execa('node', [BIN, 'serve', '--env', env, ...port, ...args], {
    cwd,
    reject: false,
    env: {NO_COLOR: '1', ...extraEnv},
    buffer: false,
    // execa sends SIGKILL 5 s after a SIGTERM by default: a loaded machine can take longer to stop
    // cleanly, and a clean stop is what these tests check (their timeouts catch a hang).
    forceKillAfterDelay: false,
  })
  let err = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /on (http:\/\/[^\s]+) \(clock/.exec(err)
      if (match) resolve(match[1] as string)
    }
    child.stderr?.on('data', check)
    child.then((result) => reject(new Error(`joe serve exited (${result.exitCode}) before listening:\n${err}`)), reject)
  })
  const exited = child.then((result) => result.exitCode)
  return {
    url,
    kill: (signal) => {
      child.kill(signal)
    },
    exited,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      child.kill(signal)
      return exited
    },
  }
}

export interface Received {
  headers: IncomingMessage['headers']
  body: string
}

/** A webhook endpoint on a free port; `status` decides each answer (default 200). */
export async function startWebhook(
  status: (n: number) => number = () => 200,
): Promise<{url: string; received: Received[]; close(): Promise<void>}> {
  const received: Received[] = []
  const server: Server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    request.on('end', () => {
      received.push({headers: request.headers, body})
      response.statusCode = status(received.length)
      response.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** Polls `probe` until it returns a value (generous: the machine may be loaded); never a timing assertion. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, limitMs = 120_000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * `joe serve --json` as a child that is stopped by a signal and then read: resolves once its standard
 * error contains `line` (rejects if it ends first), with the subprocess. Not force-killed after a SIGTERM: a clean stop is checked.
 */
export async function startServeJson(cwd: string, env: string, line: string, vars: Record<string, string> = {}) {
  const child = execa('node', [BIN, 'serve', '--env', env, '--port', '0', '--json'], {
    cwd,
    reject: false,
    env: {NO_COLOR: '1', ...vars},
    forceKillAfterDelay: false,
  })
  await new Promise<void>((resolve, reject) => {
    let err = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString()
      if (err.includes(line)) resolve()
    })
    child.then((r) => reject(new Error(`joe serve exited (${r.exitCode}):\n${err}`)), reject)
  })
  // Wrapped: a subprocess is a promise of its end, which an async function's return would wait for.
  return {subprocess: child}
}

/** POSTs a batch of Segment calls to `joe serve` with a write key; resolves with the status (0: no answer, e.g. the process died). */
export async function postBatch(url: string, key: string, batch: object[]): Promise<number> {
  try {
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: {'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`},
      body: JSON.stringify({batch}),
    })
    await response.arrayBuffer()
    return response.status
  } catch {
    return 0
  }
}

/** A TCP port free on 127.0.0.1 now (for a server the test starts in another process). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

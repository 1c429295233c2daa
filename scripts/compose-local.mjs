#!/usr/bin/env node
// compose.yaml without Docker: starts the services built from this repository's Dockerfile as plain
// processes, with the same commands, environment variables, health checks and restart policies, on
// this checkout (built with `npm run build`). Images it cannot build (PostgreSQL) run elsewhere:
// say where with --service NAME=URL, and every URL in the services' environment that points at that
// service's host name is replaced by URL (credentials and database included).
//
//   node scripts/compose-local.mjs [OPTIONS] up                 # like `docker compose up`; Ctrl-C stops
//   node scripts/compose-local.mjs [OPTIONS] run SERVICE ARGS   # like `docker compose run --rm SERVICE ARGS`
//   node scripts/compose-local.mjs [OPTIONS] config             # like `docker compose config`
//   node scripts/compose-local.mjs [OPTIONS] plan               # the processes `up` would start, as JSON
//
// OPTIONS: -f FILE (default compose.yaml), --env-file FILE (default .env beside it),
//   --service NAME=URL (repeatable), --scale SERVICE=N (repeatable: N processes of it, as
//   `docker compose up --scale`), --no-restart SERVICE (repeatable: never restart it), --json (events
//   as JSON lines on standard output). The processes' logs go to standard error, each line
//   prefixed with its process name, as compose prints them.
//
// Differences from Docker, all on purpose: processes listen on 127.0.0.1, never on every interface;
// ports that are not published get a free port each (replicas share a host); the app is this
// checkout, with its development dependencies installed.
import {spawn} from 'node:child_process'
import {createServer} from 'node:net'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {stringify} from 'yaml'
import {ComposeError, loadCompose, planProcesses} from './lib/compose-file.mjs'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
/** Docker's restart delay: 100 ms, doubling per restart, reset once a process ran for 10 s. */
const RESTART_BASE_MS = 100
const RESTART_MAX_MS = 10_000
const RESTART_RESET_MS = 10_000

function usage(message) {
  process.stderr.write(`compose-local: ${message}\nusage: node scripts/compose-local.mjs [-f FILE] [--env-file FILE] [--service NAME=URL]... [--scale SERVICE=N]... [--no-restart SERVICE]... [--json] up|run SERVICE ARGS...|config|plan\n`)
  process.exit(2)
}

function parseCommandLine(argv) {
  const options = {
    file: path.join(ROOT, 'compose.yaml'),
    envFile: undefined,
    external: new Map(),
    noRestart: new Set(),
    scale: new Map(),
    json: false,
  }
  let i = 0
  for (; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => argv[++i] ?? usage(`${arg} needs a value`)
    if (arg === '-f' || arg === '--file') options.file = path.resolve(value())
    else if (arg === '--env-file') options.envFile = path.resolve(value())
    else if (arg === '--service') {
      const text = value()
      const at = text.indexOf('=')
      if (at < 1) usage(`--service wants NAME=URL, not "${text}"`)
      options.external.set(text.slice(0, at), text.slice(at + 1))
    } else if (arg === '--scale') {
      const [service, count] = value().split('=')
      if (!/^\d+$/.test(count ?? '')) usage(`--scale wants SERVICE=N, not "${service}=${count}"`)
      options.scale.set(service, Number(count))
    } else if (arg === '--no-restart') options.noRestart.add(value())
    else if (arg === '--json') options.json = true
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`)
    else break
  }
  return {options, command: argv[i], rest: argv.slice(i + 1)}
}

/** Distinct free ports, taken by listening on all of them at once. */
async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      {length: count},
      () =>
        new Promise((resolve, reject) => {
          const server = createServer()
          server.on('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((server) => server.address().port)
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

async function plan(options, planOptions = {}) {
  const compose = loadCompose(options.file, process.env, options.envFile)
  const pool = await freePorts(64)
  return planProcesses(compose, {
    root: ROOT,
    external: options.external,
    freePort: () => pool.shift() ?? usage('too many processes'),
    scale: options.scale,
    ...planOptions,
  })
}

/** A child's environment: the image's and the service's variables, and PATH to find programs. */
function childEnv(env) {
  return {PATH: process.env.PATH ?? '/usr/bin:/bin', ...env}
}

function executable(argv) {
  return argv[0] === 'node' ? [process.execPath, ...argv.slice(1)] : argv
}

function prefixLines(stream, name, out) {
  let pending = ''
  stream.on('data', (chunk) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) out.write(`${name.padEnd(12)}| ${line}\n`)
  })
  stream.on('end', () => {
    if (pending !== '') out.write(`${name.padEnd(12)}| ${pending}\n`)
  })
}

function runOnce(argv, options) {
  return new Promise((resolve) => {
    const [file, ...args] = executable(argv)
    const child = spawn(file, args, {...options, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (c) => {
      output += c
    })
    child.stderr.on('data', (c) => {
      output += c
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', (error) => resolve({ok: false, output: error.message}))
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ok: code === 0, output: output.trim()})
    })
  })
}

/** One planned process under supervision: restarts per policy, health checks as Docker runs them. */
function supervise(planned, {emit, noRestart}) {
  let child
  let stopping = false
  let restarts = 0
  let health = planned.healthcheck ? 'starting' : 'healthy'
  let healthTimer
  let onHealthy = []
  let exited
  const url = planned.ports && Object.values(planned.ports)[0] ? `http://127.0.0.1:${Object.values(planned.ports)[0]}` : undefined

  const setHealth = (status, output) => {
    if (status === health) return
    health = status
    emit({event: 'health', process: planned.name, status, ...(status === 'healthy' ? {} : {output})})
    if (status === 'healthy') {
      for (const resolve of onHealthy) resolve()
      onHealthy = []
    }
  }

  const probe = (startedAt, failures) => {
    const check = planned.healthcheck
    const inStart = Date.now() - startedAt < check.startPeriodMs
    healthTimer = setTimeout(
      async () => {
        if (stopping || child === undefined) return
        const result = await runOnce(check.argv, {cwd: planned.cwd, env: childEnv(planned.env), timeoutMs: check.timeoutMs})
        if (stopping) return
        let next = failures
        if (result.ok) {
          next = 0
          setHealth('healthy')
        } else if (Date.now() - startedAt >= check.startPeriodMs) {
          next = failures + 1
          if (next >= check.retries) setHealth('unhealthy', result.output)
        }
        probe(startedAt, next)
      },
      inStart && health !== 'healthy' ? check.startIntervalMs : check.intervalMs,
    )
  }

  const start = () => {
    const [file, ...args] = executable(planned.argv)
    const startedAt = Date.now()
    child = spawn(file, args, {cwd: planned.cwd, env: childEnv(planned.env), stdio: ['ignore', 'pipe', 'pipe']})
    prefixLines(child.stdout, planned.name, process.stderr)
    prefixLines(child.stderr, planned.name, process.stderr)
    emit({event: restarts === 0 ? 'started' : 'restarted', process: planned.name, pid: child.pid, ...(url ? {url} : {})})
    if (planned.healthcheck) {
      health = 'starting'
      probe(startedAt, 0)
    }
    exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        clearTimeout(healthTimer)
        const ranMs = Date.now() - startedAt
        child = undefined
        emit({event: stopping ? 'stopped' : 'exited', process: planned.name, code, signal})
        resolve({code, signal})
        if (!stopping && shouldRestart(planned.restart, code, restarts, noRestart.has(planned.service))) {
          if (ranMs >= RESTART_RESET_MS) restarts = 0
          const delay = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** restarts)
          restarts++
          setTimeout(() => {
            if (!stopping) start()
          }, delay)
        }
      })
    })
  }

  return {
    planned,
    url,
    start,
    get pid() {
      return child?.pid
    },
    healthy: () => (health === 'healthy' ? Promise.resolve() : new Promise((resolve) => onHealthy.push(resolve))),
    async stop() {
      stopping = true
      clearTimeout(healthTimer)
      if (child === undefined) return {code: 0, signal: null}
      const current = child
      current.kill('SIGTERM')
      const killer = setTimeout(() => current.kill('SIGKILL'), planned.stopGraceMs)
      const result = await exited
      clearTimeout(killer)
      return result
    },
  }
}

function shouldRestart(policy, code, restarts, disabled) {
  if (disabled) return false
  const [name, max] = String(policy).split(':')
  if (name === 'always' || name === 'unless-stopped') return true
  if (name === 'on-failure') return code !== 0 && (max === undefined || restarts < Number(max))
  return false
}

function emitter(json) {
  return (event) => {
    if (json) {
      process.stdout.write(`${JSON.stringify({...event, at: new Date().toISOString()})}\n`)
      return
    }
    const {event: kind, process: name, ...rest} = event
    const detail = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join(' ')
    process.stdout.write(`${kind}${name ? ` ${name}` : ''}${detail ? ` ${detail}` : ''}\n`)
  }
}

async function up(options) {
  const emit = emitter(options.json)
  const processes = await plan(options)
  if (processes.length === 0) usage('no service of the compose file is built from this repository')
  const running = processes.map((planned) => supervise(planned, {emit, noRestart: options.noRestart}))
  const byService = new Map()
  for (const r of running) byService.set(r.planned.service, [...(byService.get(r.planned.service) ?? []), r])
  let stopping
  const stopAll = (signal) => {
    stopping ??= (async () => {
      emit({event: 'stopping', signal})
      const results = await Promise.all([...running].reverse().map((r) => r.stop()))
      const clean = results.every((r) => r.code === 0 || (r.code === null && r.signal === null))
      emit({event: 'down', clean})
      process.exit(clean ? 0 : 1)
    })()
  }
  process.on('SIGINT', () => stopAll('SIGINT'))
  process.on('SIGTERM', () => stopAll('SIGTERM'))
  // Dependency order: a service waits for what it depends on (started, or healthy) among ours.
  const started = new Map()
  const startService = (service) => {
    if (!started.has(service)) {
      started.set(
        service,
        (async () => {
          const members = byService.get(service) ?? []
          for (const [dependency, {condition}] of Object.entries(members[0]?.planned.dependsOn ?? {})) {
            if (!byService.has(dependency)) continue
            await startService(dependency)
            if (condition === 'service_healthy') await Promise.all(byService.get(dependency).map((r) => r.healthy()))
          }
          for (const member of members) if (!stopping) member.start()
        })(),
      )
    }
    return started.get(service)
  }
  await Promise.all([...byService.keys()].map(startService))
  await Promise.all(running.map((r) => r.healthy()))
  if (!stopping)
    emit({
      event: 'ready',
      processes: running.map((r) => ({name: r.planned.name, service: r.planned.service, pid: r.pid, url: r.url, ports: r.planned.ports})),
    })
}

async function run(options, [service, ...args]) {
  if (service === undefined) usage('run needs a SERVICE')
  const [planned] = await plan(options, {services: [service]})
  if (planned === undefined) usage(`no service "${service}" built from this repository in ${options.file}`)
  const argv = args.length > 0 ? [...planned.entrypoint, ...args] : planned.argv
  const [file, ...rest] = executable(argv)
  const child = spawn(file, rest, {cwd: planned.cwd, env: childEnv(planned.env), stdio: 'inherit'})
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

const {options, command, rest} = parseCommandLine(process.argv.slice(2))
try {
  if (command === 'up') await up(options)
  else if (command === 'run') await run(options, rest)
  else if (command === 'config') process.stdout.write(stringify(loadCompose(options.file, process.env, options.envFile).config))
  else if (command === 'plan') process.stdout.write(`${JSON.stringify(await plan(options), null, 2)}\n`)
  else usage(command === undefined ? 'which command? up, run, config or plan' : `unknown command ${command}`)
} catch (error) {
  if (!(error instanceof ComposeError)) throw error
  process.stderr.write(`compose-local: ${error.message}\n`)
  process.exit(1)
}

// Reads a compose file as `docker compose` does (variables interpolated from the environment and a
// .env file, YAML merge keys applied), and turns the services built from this repository's
// Dockerfile into plain processes: the image's ENTRYPOINT and CMD, its ENV and WORKDIR, the
// service's command, environment, volumes, ports, health check and restart policy. Used by
// scripts/compose-local.mjs, where Docker cannot run.
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {DockerfileParser} from 'dockerfile-ast'
import {parse} from 'yaml'

/** Thrown for a compose file this script cannot honour; the CLI prints the message and exits 1. */
export class ComposeError extends Error {}

/** KEY=VALUE lines of a .env file (compose's format: comments, optional quotes, `export` allowed). */
export function parseEnvFile(text) {
  const vars = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line)
    if (!match) throw new ComposeError(`.env: cannot read the line "${line}" (expected KEY=VALUE)`)
    let value = match[2]
    const quoted = /^(['"])(.*)\1$/.exec(value)
    if (quoted) value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : quoted[2]
    else value = value.replace(/\s+#.*$/, '')
    vars[match[1]] = value
  }
  return vars
}

/**
 * Compose's interpolation: `$$` is a dollar; `${VAR}` and `$VAR`; `${VAR:-default}` (unset or
 * empty), `${VAR-default}` (unset); `${VAR:?error}`, `${VAR?error}`; `${VAR:+other}`, `${VAR+other}`.
 * Defaults may hold further variables.
 */
export function interpolate(text, vars, where = 'compose file') {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c !== '$') {
      out += c
      i++
      continue
    }
    const next = text[i + 1]
    if (next === '$') {
      out += '$'
      i += 2
    } else if (next === '{') {
      let depth = 1
      let j = i + 2
      while (j < text.length && depth > 0) {
        if (text[j] === '{') depth++
        else if (text[j] === '}') depth--
        j++
      }
      if (depth > 0) throw new ComposeError(`${where}: unclosed \${ in "${text}"`)
      out += substitute(text.slice(i + 2, j - 1), vars, where)
      i = j
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0]
      if (name === undefined) {
        out += '$'
        i++
      } else {
        out += vars[name] ?? ''
        i += 1 + name.length
      }
    }
  }
  return out
}

function substitute(expression, vars, where) {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expression)
  if (!match) throw new ComposeError(`${where}: invalid interpolation "\${${expression}}"`)
  const [, name, operator, rest = ''] = match
  const value = vars[name]
  const unset = value === undefined
  const empty = unset || value === ''
  switch (operator) {
    case undefined:
      return value ?? ''
    case ':-':
      return empty ? interpolate(rest, vars, where) : value
    case '-':
      return unset ? interpolate(rest, vars, where) : value
    case ':?':
    case '?':
      if (operator === ':?' ? empty : unset) throw new ComposeError(`${where}: ${interpolate(rest, vars, where) || `${name} is not set`}`)
      return value
    case ':+':
      return empty ? '' : interpolate(rest, vars, where)
    default:
      return unset ? '' : interpolate(rest, vars, where)
  }
}

function interpolateValues(value, vars, where) {
  if (typeof value === 'string') return interpolate(value, vars, where)
  if (Array.isArray(value)) return value.map((v) => interpolateValues(v, vars, where))
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateValues(v, vars, `${where}.${k}`)]))
  return value
}

/**
 * The compose file as compose resolves it: merge keys applied, every value interpolated, the `x-`
 * extension fields (templates for the rest) dropped. Variables come from `env` first, then the
 * .env file (`envFile`, default .env beside the compose file, when it exists).
 */
export function loadCompose(file, env, envFile) {
  const dir = path.dirname(path.resolve(file))
  const dotenv = envFile ?? path.join(dir, '.env')
  const vars = {...(existsSync(dotenv) ? parseEnvFile(readFileSync(dotenv, 'utf8')) : {}), ...env}
  const raw = parse(readFileSync(file, 'utf8'), {merge: true})
  const resolved = {}
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (!key.startsWith('x-')) resolved[key] = interpolateValues(value, vars, key)
  }
  return {dir, config: resolved}
}

/** The last stage of a Dockerfile: what `docker run IMAGE` starts with. */
export function readImage(dockerfile) {
  const parsed = DockerfileParser.parse(readFileSync(dockerfile, 'utf8'))
  const instructions = parsed.getInstructions()
  const lastFrom = instructions.findLastIndex((ins) => ins.getKeyword() === 'FROM')
  const image = {appDir: undefined, workdir: '/', env: {}, entrypoint: [], cmd: [], user: undefined}
  for (const ins of instructions.slice(lastFrom + 1)) {
    const keyword = ins.getKeyword()
    if (keyword === 'WORKDIR') {
      image.workdir = path.posix.resolve(image.workdir, ins.getArguments()[0].getValue())
      image.appDir ??= image.workdir
    } else if (keyword === 'ENV') {
      for (const property of ins.getProperties()) image.env[property.getName()] = property.getValue() ?? ''
    } else if (keyword === 'ENTRYPOINT' || keyword === 'CMD') {
      const json = ins.getJSONStrings().map((s) => s.getJSONValue())
      if (json.length === 0) throw new ComposeError(`${dockerfile}: ${keyword} must be in exec form (a JSON array)`)
      image[keyword === 'CMD' ? 'cmd' : 'entrypoint'] = json
    } else if (keyword === 'USER') {
      image.user = ins.getArguments()[0].getValue()
    }
  }
  if (image.appDir === undefined) throw new ComposeError(`${dockerfile}: the last stage has no WORKDIR to hold the app`)
  return image
}

/** Go-style durations as compose writes them: 1m30s, 10s, 500ms. */
export function durationMs(text, fallback) {
  if (text === undefined) return fallback
  let total = 0
  const units = {h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, ns: 0.000001}
  const re = /(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g
  let consumed = ''
  for (const match of String(text).matchAll(re)) {
    total += Number(match[1]) * units[match[2]]
    consumed += match[0]
  }
  if (consumed !== String(text)) throw new ComposeError(`invalid duration "${text}"`)
  return total
}

/** Published ports of a service: container port -> {host, hostPort}. */
function publishedPorts(service) {
  const ports = new Map()
  for (const entry of service.ports ?? []) {
    const text = typeof entry === 'object' ? `${entry.host_ip ? `${entry.host_ip}:` : ''}${entry.published}:${entry.target}` : String(entry)
    const parts = text.replace(/\/(tcp|udp)$/, '').split(':')
    const container = Number(parts.at(-1))
    const hostPort = parts.length >= 2 ? Number(parts.at(-2)) : undefined
    const host = parts.length >= 3 ? parts.slice(0, -2).join(':') : undefined
    ports.set(container, {host, hostPort})
  }
  return ports
}

function environmentOf(service) {
  const env = service.environment ?? {}
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]))
  return Object.fromEntries(
    env.map((item) => {
      const at = item.indexOf('=')
      return at < 0 ? [item, ''] : [item.slice(0, at), item.slice(at + 1)]
    }),
  )
}

/** `${service}` -> the URL it is reached at here: URLs that point at its host name become that URL. */
function rewriteServiceReferences(value, external) {
  for (const [name, url] of external) {
    if (value === name) return new URL(url).hostname
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      try {
        if (new URL(value).hostname === name) return url
      } catch {
        // Not a URL after all: leave it.
      }
    }
  }
  return value
}

/**
 * The processes that `up` starts (or `run` runs) for the compose file's services built from the
 * Dockerfile at `root`. Services that only name an image (PostgreSQL) cannot start here: they are
 * given as `external` (name -> URL). Ports: a published container port keeps its host port; any
 * other gets `freePort()`. Container paths map to this checkout (the image's app folder) and to the
 * services' bind mounts.
 */
export function planProcesses({config, dir}, {root, external = new Map(), freePort, scale = new Map(), services: only, includeProfiles = false}) {
  const services = config.services ?? {}
  const processes = []
  for (const [name, service] of Object.entries(services)) {
    if (only !== undefined && !only.includes(name)) continue
    if (only === undefined && service.profiles !== undefined && !includeProfiles) continue
    // Images other than joe's (PostgreSQL) run elsewhere: `external` says where.
    if (service.build === undefined) continue
    const context = path.resolve(dir, typeof service.build === 'string' ? service.build : (service.build.context ?? '.'))
    if (context !== path.resolve(root)) throw new ComposeError(`service ${name}: its build context ${context} is not this repository`)
    const dockerfile = path.join(context, (typeof service.build === 'object' && service.build.dockerfile) || 'Dockerfile')
    const image = readImage(dockerfile)
    for (const dependency of Object.keys(dependsOn(service))) {
      const target = services[dependency]
      if (target !== undefined && target.build === undefined && !external.has(dependency))
        throw new ComposeError(
          `service ${name} depends on ${dependency}, an image that cannot run here: give its address with --service ${dependency}=URL`,
        )
    }
    const mounts = [[image.appDir, context]]
    for (const volume of service.volumes ?? []) {
      const [source, target] = typeof volume === 'object' ? [volume.source, volume.target] : String(volume).split(':')
      if (target === undefined || !/^[./~]/.test(source)) continue
      mounts.push([target, path.resolve(dir, source)])
    }
    const toHost = (p) => {
      for (const [inside, outside] of [...mounts].sort((a, b) => b[0].length - a[0].length)) {
        if (p === inside || p.startsWith(`${inside}/`)) return path.join(outside, p.slice(inside.length))
      }
      return p
    }
    const replicas = scale.get(name) ?? service.deploy?.replicas ?? 1
    for (let replica = 1; replica <= replicas; replica++) {
      const published = publishedPorts(service)
      const portMap = new Map()
      for (const container of new Set([...published.keys(), ...exposed(image, service)])) {
        portMap.set(container, published.get(container)?.hostPort ?? freePort())
      }
      const mapArgs = (args) => mapArguments(args, {toHost, portMap})
      const entrypoint = service.entrypoint ?? image.entrypoint
      const command = service.command ?? image.cmd
      const env = {...image.env, ...environmentOf(service)}
      for (const [key, value] of Object.entries(env)) env[key] = rewriteServiceReferences(value, external)
      processes.push({
        name: `${name}-${replica}`,
        service: name,
        argv: mapArgs([...toArray(entrypoint), ...toArray(command)]),
        entrypoint: mapArgs(toArray(entrypoint)),
        cwd: toHost(service.working_dir ?? image.workdir),
        env,
        ports: Object.fromEntries(portMap),
        healthcheck: healthcheckOf(service, mapArgs),
        restart: service.restart ?? 'no',
        stopGraceMs: durationMs(service.stop_grace_period, 10_000),
        dependsOn: dependsOn(service),
      })
    }
  }
  return processes
}

function toArray(command) {
  if (command === undefined || command === null) return []
  if (Array.isArray(command)) return command.map(String)
  throw new ComposeError(`write commands as lists (exec form), not "${command}"`)
}

function dependsOn(service) {
  const deps = service.depends_on ?? {}
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, {condition: 'service_started'}]))
  return deps
}

/** The container ports the process listens on: EXPOSE'd by the image's `--port N` or published. */
function exposed(image, service) {
  const args = [...toArray(service.command ?? image.cmd)]
  const at = args.indexOf('--port')
  return at >= 0 && args[at + 1] !== undefined ? [Number(args[at + 1])] : []
}

/**
 * Container paths become host paths, container ports the process's own ports, and `0.0.0.0` (every
 * interface of a container's own network) the loopback interface: nothing here listens beyond this
 * machine.
 */
function mapArguments(args, {toHost, portMap}) {
  const out = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const previous = out.at(-1)
    if (previous === '--port' && portMap.has(Number(arg))) out.push(String(portMap.get(Number(arg))))
    else if (previous === '--host' && (arg === '0.0.0.0' || arg === '::')) out.push('127.0.0.1')
    else if (/^https?:\/\/(127\.0\.0\.1|localhost|0\.0\.0\.0):\d+/.test(arg)) {
      const url = new URL(arg)
      const port = portMap.get(Number(url.port))
      if (port !== undefined) url.port = String(port)
      url.hostname = '127.0.0.1'
      out.push(url.toString())
    } else if (arg.startsWith('/')) out.push(toHost(arg))
    else out.push(arg)
  }
  return out
}

function healthcheckOf(service, mapArgs) {
  const check = service.healthcheck
  if (check === undefined || check.disable === true) return undefined
  const test = toArray(check.test)
  const [kind, ...rest] = test
  if (kind === 'NONE') return undefined
  const argv = kind === 'CMD' ? mapArgs(rest) : kind === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : undefined
  if (argv === undefined) throw new ComposeError(`healthcheck.test must start with CMD or CMD-SHELL, not ${kind}`)
  return {
    argv,
    intervalMs: durationMs(check.interval, 30_000),
    timeoutMs: durationMs(check.timeout, 30_000),
    startPeriodMs: durationMs(check.start_period, 0),
    startIntervalMs: durationMs(check.start_interval, 5_000),
    retries: check.retries ?? 3,
  }
}

// compose.yaml, checked without Docker: resolved as `docker compose config` resolves it
// (scripts/compose-local.mjs config), valid against the Compose Specification and clean under a
// compose linter (dclint), wired as docs/operations.md says, and planned into the same processes
// that scripts/compose-local.mjs starts.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {DCLinter} from 'dclint'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {validateProjectDetailed} from '../../src/core/validate.js'
import {ROOT} from './docker-build.js'

const SCRIPT = path.join(ROOT, 'scripts/compose-local.mjs')
const EXAMPLE_ENV = path.join(ROOT, 'deploy/compose/example.env')
const PROJECT = path.join(ROOT, 'deploy/compose/project')

/** Runs the script with only the given variables (and PATH), as a user with that .env would. */
const compose = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [SCRIPT, ...args], {reject: false, extendEnv: false, env: {PATH: process.env.PATH ?? '', ...env}})

interface Service {
  image?: string
  build?: string
  command?: string[]
  environment?: Record<string, string>
  volumes?: string[]
  ports?: string[]
  restart?: string
  healthcheck?: {test?: string[]; disable?: boolean}
  depends_on?: Record<string, {condition: string}>
  deploy?: {replicas?: number}
  profiles?: string[]
  read_only?: boolean
}

describe('compose.yaml', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'joe-compose-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const resolved = async () => {
    const run = await compose(['--env-file', EXAMPLE_ENV, 'config'])
    expect(run.exitCode, run.stderr).toBe(0)
    return {text: run.stdout, config: parse(run.stdout) as {name: string; services: Record<string, Service>; volumes: object}}
  }
  const lint = (file: string, rules: Record<string, unknown>) =>
    new DCLinter({rules: rules as never, quiet: true, debug: false, exclude: []})
      .lintFiles([file], false)
      .flatMap((r: {messages: Array<{rule: string; message: string}>}) => r.messages.map((m) => `${m.rule}: ${m.message}`))

  // Off: rules about key and service order (the file reads in the order things start), and
  // no-build-and-image (the joe services build one image and name it, so that they share it).
  const STYLE = {'service-keys-order': 0, 'services-alphabetical-order': 0, 'top-level-properties-order': 0, 'no-build-and-image': 0}

  it('resolves, with the example .env, to a valid compose file that the linter passes', async () => {
    const {text} = await resolved()
    const file = path.join(dir, 'resolved.yaml')
    writeFileSync(file, text)
    expect(lint(file, {...STYLE, 'require-quotes-in-ports': 0})).toEqual([])
    // As written (variables unresolved): quoting and the rest of the rules.
    expect(
      lint(path.join(ROOT, 'compose.yaml'), {
        ...STYLE,
        'no-unbound-port-interfaces': 0,
        'require-quotes-in-ports': [2, {quoteType: 'double'}],
      }),
    ).toEqual([])
  })

  it('refuses to start without its secrets, naming the variable and where to set it', async () => {
    const run = await compose(['config'], {JOE_WRITE_KEY: 'k', JOE_WEBHOOK_URL: 'http://x', JOE_WEBHOOK_SECRET: 's'})
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('set POSTGRES_PASSWORD (see deploy/compose/example.env)')
    // example.env sets every variable the file requires.
    const required = [...readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1])
    const example = readFileSync(EXAMPLE_ENV, 'utf8')
    for (const name of new Set(required)) expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'))
  })

  it('runs PostgreSQL, one ingest process, two workers and one delivery process on one store', async () => {
    const {config} = await resolved()
    const {postgres, ingest, worker, delivery, joe} = config.services as Record<string, Service>
    expect(Object.keys(config.services).sort()).toEqual(['delivery', 'ingest', 'joe', 'postgres', 'worker'])
    expect(postgres).toMatchObject({
      image: expect.stringMatching(/^postgres:\d+/),
      restart: 'unless-stopped',
      volumes: ['pgdata:/var/lib/postgresql/data'],
    })
    expect(postgres?.healthcheck?.test).toContain('pg_isready')
    expect(config.volumes).toHaveProperty('pgdata')
    const roles = {ingest, worker, delivery}
    for (const [role, service] of Object.entries(roles)) {
      expect(service?.command?.slice(0, 5), role).toEqual(['serve', '--env', 'prod', '--role', role])
      expect(service, role).toMatchObject({build: '.', image: 'joe:local', restart: 'unless-stopped', read_only: true})
      expect(service?.depends_on, role).toEqual({postgres: {condition: 'service_healthy'}})
      expect(service?.healthcheck?.test, role).toEqual([
        'CMD',
        'node',
        '/app/deploy/docker/healthcheck.mjs',
        'http://127.0.0.1:8787/readyz',
      ])
      expect(service?.volumes, role).toEqual(['./deploy/compose/project:/project:ro'])
      // One store for all: the same environment everywhere.
      expect(service?.environment, role).toEqual(ingest?.environment)
    }
    expect(ingest?.environment?.JOE_STORE_URL).toBe('postgres://joe:change-me@postgres:5432/joe')
    expect(worker?.deploy?.replicas).toBe(2)
    expect(ingest?.ports).toEqual(['127.0.0.1:8787:8787'])
    expect([worker?.ports, delivery?.ports]).toEqual([undefined, undefined])
    // The CLI, for one-off commands against the same store; not started by `up`.
    expect(joe).toMatchObject({profiles: ['cli'], restart: 'no', environment: ingest?.environment, healthcheck: {disable: true}})
  })

  it('serves a sample project that validates and gets every variable its config names', async () => {
    const validated = (await validateProjectDetailed({paths: [], cwd: PROJECT})).result
    expect(validated.errorCount).toBe(0)
    const {config} = await resolved()
    const settings = JSON.stringify(parse(readFileSync(path.join(PROJECT, 'joe.config.yaml'), 'utf8')))
    const names = [...settings.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1] as string)
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) expect(Object.keys(config.services.ingest?.environment ?? {}), name).toContain(name)
  })

  it('plans the joe services as processes with the same commands, here on this checkout', async () => {
    const run = await compose(['--env-file', EXAMPLE_ENV, '--service', 'postgres=postgres://u:p@127.0.0.1:6543/db?options=x', 'plan'], {
      JOE_PORT: '18787',
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const plan = JSON.parse(run.stdout) as Array<{
      name: string
      argv: string[]
      cwd: string
      env: Record<string, string>
      ports: Record<string, number>
      healthcheck: {argv: string[]}
      restart: string
    }>
    expect(plan.map((p) => p.name)).toEqual(['ingest-1', 'worker-1', 'worker-2', 'delivery-1'])
    const ports = plan.map((p) => p.ports['8787'])
    expect(ports[0]).toBe(18787)
    expect(new Set(ports).size).toBe(4)
    for (const [i, p] of plan.entries()) {
      expect(p.argv).toEqual([
        'node',
        path.join(ROOT, 'bin/run.js'),
        'serve',
        '--env',
        'prod',
        '--role',
        p.name.replace(/-\d+$/, ''),
        '--host',
        '127.0.0.1',
        '--port',
        String(ports[i]),
      ])
      expect(p.cwd).toBe(PROJECT)
      expect(p.env).toMatchObject({
        NODE_ENV: 'production',
        JOE_STORE_URL: 'postgres://u:p@127.0.0.1:6543/db?options=x',
        JOE_WRITE_KEY: 'change-me',
      })
      expect(p.healthcheck.argv).toEqual(['node', path.join(ROOT, 'deploy/docker/healthcheck.mjs'), `http://127.0.0.1:${ports[i]}/readyz`])
      expect(p.restart).toBe('unless-stopped')
    }
    // PostgreSQL is an image this script cannot run: it must be told where one is.
    const without = await compose(['--env-file', EXAMPLE_ENV, 'plan'])
    expect(without.exitCode).toBe(1)
    expect(without.stderr).toContain('give its address with --service postgres=URL')
  })

  it('interpolates as compose does: defaults, required values, $$ and nested defaults', async () => {
    const file = path.join(dir, 'vars.yaml')
    writeFileSync(
      file,
      [
        'services:',
        '  a:',
        '    image: x:1',
        '    environment:',
        '      A: "${UNSET:-fallback}"',
        '      B: "${EMPTY:-used-when-empty}|${EMPTY-kept-empty}"',
        '      C: "$$HOME and $SET and ${SET:+alternative}"',
        '      D: "${UNSET:-${SET}-nested}"',
        '',
      ].join('\n'),
    )
    const run = await compose(['-f', file, 'config'], {SET: 'v', EMPTY: ''})
    expect(run.exitCode, run.stderr).toBe(0)
    expect((parse(run.stdout) as {services: {a: Service}}).services.a.environment).toEqual({
      A: 'fallback',
      B: 'used-when-empty|',
      C: '$HOME and v and alternative',
      D: 'v-nested',
    })
  })
})

// deploy/systemd/joe-serve@.service, checked without running systemd (the machines that test joe do
// not boot it): systemd's own verifier and security analysis where installed, the settings
// docs/operations.md promises, and its ExecStart run as systemd would run it (the instance name,
// Environment=, then the EnvironmentFile=s, later settings winning), stopped with its KillSignal.
import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import {eventually, freePort} from '../helpers/serve-process.js'
import {ROOT} from './docker-build.js'

const UNIT = path.join(ROOT, 'deploy/systemd/joe-serve@.service')
const ETC = path.join(ROOT, 'deploy/systemd/etc/joe')

/** The unit's settings per section; a key set several times keeps every value, in order. */
function readUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {}
  let current: Record<string, string[]> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const section = /^\[(.+)\]$/.exec(line)
    if (section) {
      current = {}
      sections[section[1] as string] = current
      continue
    }
    const at = line.indexOf('=')
    const key = line.slice(0, at).trim()
    current[key] = [...(current[key] ?? []), line.slice(at + 1).trim()]
  }
  return sections
}

/** systemd's EnvironmentFile= format: KEY=VALUE lines, # and ; comments, optional quotes. */
function readEnvironmentFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const at = line.indexOf('=')
    vars[line.slice(0, at).trim()] = line
      .slice(at + 1)
      .trim()
      .replace(/^(["'])(.*)\1$/, '$2')
  }
  return vars
}

/** Environment= assignments: space-separated KEY=VALUE words (quotes keep spaces). */
function readAssignments(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/(?:"([^"]*)"|(\S+))/g)].map((m) => {
      const word = m[1] ?? (m[2] as string)
      const at = word.indexOf('=')
      return [word.slice(0, at), word.slice(at + 1)]
    }),
  )
}

const unit = readUnit(readFileSync(UNIT, 'utf8'))
const service = unit.Service as Record<string, string[]>
const one = (key: string) => {
  expect(service[key], key).toHaveLength(1)
  return service[key]?.[0] as string
}

describe('deploy/systemd/joe-serve@.service', () => {
  it('runs one role per instance, restarts on failure, and stops with SIGTERM, allowing the transaction in hand to finish', () => {
    expect(one('ExecStart')).toBe(
      '/usr/bin/node /opt/joe/bin/run.js serve --env ${JOE_ENV} --role ${JOE_ROLE} --host ${JOE_HOST} --port ${JOE_PORT} --log-level ${JOE_LOG_LEVEL}',
    )
    expect(readAssignments(one('Environment'))).toMatchObject({JOE_ROLE: '%i', JOE_PORT: '8787', JOE_HOST: '127.0.0.1'})
    expect(service.EnvironmentFile).toEqual(['/etc/joe/joe.env', '-/etc/joe/joe-%i.env'])
    expect([one('Restart'), one('KillSignal'), one('RestartPreventExitStatus')]).toEqual(['on-failure', 'SIGTERM', '2'])
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThanOrEqual(30)
    expect(one('User')).not.toBe('root')
  })

  it('is hardened without breaking Node.js: read-only system, no home, no privileges, writable state folder only', () => {
    expect(service).toMatchObject({
      ProtectSystem: ['strict'],
      ProtectHome: ['yes'],
      NoNewPrivileges: ['yes'],
      PrivateTmp: ['yes'],
      StateDirectory: ['joe'],
      CapabilityBoundingSet: [''],
      SystemCallFilter: ['@system-service', '~@privileged'],
    })
    // V8 compiles JavaScript to machine code at run time: MemoryDenyWriteExecute would stop Node.js.
    expect(service.MemoryDenyWriteExecute).toBeUndefined()
    expect(service.ReadWritePaths).toBeUndefined()
  })

  const analyze = existsSync('/usr/bin/systemd-analyze') || existsSync('/bin/systemd-analyze')
  it.skipIf(!analyze)("passes systemd's verifier, and its security analysis rates it OK or better", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'joe-unit-'))
    try {
      const instance = path.join(dir, 'joe-serve@worker.service')
      copyFileSync(UNIT, instance)
      execFileSync('systemd-analyze', ['verify', instance], {stdio: 'pipe'})
      const security = execFileSync('systemd-analyze', ['security', '--offline=true', instance], {encoding: 'utf8'})
      const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(security)?.[1])
      // systemd's scale: 0 (locked down) to 10 (unprotected); "OK" is below 2.
      expect(exposure).toBeLessThan(2)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  describe('its ExecStart, run as systemd runs it', {timeout: 300_000}, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'joe-systemd-'))
    afterAll(() => rmSync(dir, {recursive: true, force: true}))

    it('serves an embedded store from the state folder, answers /readyz, and exits 0 on SIGTERM', async () => {
      // The machine's folders: /srv/joe (the project), /etc/joe (as shipped, then edited), /var/lib/joe.
      const folders = {'/srv/joe': path.join(dir, 'srv'), '/etc/joe': path.join(dir, 'etc'), '/var/lib/joe': path.join(dir, 'state')}
      for (const folder of Object.values(folders)) mkdirSync(folder, {recursive: true})
      mkdirSync(path.join(folders['/srv/joe'], 'journeys'))
      writeFileSync(
        path.join(folders['/srv/joe'], 'joe.config.yaml'),
        'environments:\n  prod:\n    store: "${JOE_STORE_URL}"\n    write_keys: ["${JOE_WRITE_KEY}"]\n    channels:\n      webhook: { connector: webhook, url: "${JOE_WEBHOOK_URL}", secret: "${JOE_WEBHOOK_SECRET}" }\n',
      )
      writeFileSync(
        path.join(folders['/srv/joe'], 'journeys/hello.journey.yaml'),
        'version: 1\nid: hello\nname: Hello\nentry: { event: signed_up }\nsteps:\n  - { id: hi, send: { channel: webhook, template: hi } }\n',
      )
      const shipped = readFileSync(path.join(ETC, 'joe.env'), 'utf8')
      writeFileSync(
        path.join(folders['/etc/joe'], 'joe.env'),
        shipped.replace(/^JOE_STORE_URL=.*$/m, `JOE_STORE_URL=sqlite:${folders['/var/lib/joe']}/prod.db`),
      )
      const port = await freePort()
      writeFileSync(path.join(folders['/etc/joe'], 'joe-all.env'), `JOE_PORT=${port}\n`)
      const machinePath = (p: string) => {
        for (const [inside, here] of Object.entries({...folders, '/opt/joe': ROOT, '/usr/bin/node': process.execPath}))
          if (p === inside || p.startsWith(`${inside}/`)) return here + p.slice(inside.length)
        return p
      }
      const instance = 'all'
      const specifiers = (text: string) => text.replaceAll('%i', instance)
      let env = readAssignments(specifiers(one('Environment')))
      for (const file of service.EnvironmentFile ?? []) {
        const optional = file.startsWith('-')
        const where = machinePath(specifiers(optional ? file.slice(1) : file))
        if (!existsSync(where) && optional) continue
        env = {...env, ...readEnvironmentFile(readFileSync(where, 'utf8'))}
      }
      expect(env).toMatchObject({JOE_ROLE: 'all', JOE_ENV: 'prod', JOE_PORT: String(port)})
      const argv = specifiers(one('ExecStart'))
        .split(/\s+/)
        .map((word) => word.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? ''))
        .map(machinePath)
      const options = {cwd: machinePath(one('WorkingDirectory')), env, extendEnv: false, reject: false} as const
      const deploy = await execa(argv[0] as string, [argv[1] as string, 'deploy', '--env', 'prod', '--yes'], options)
      expect(deploy.exitCode, deploy.stderr).toBe(0)
      const serve = execa(argv[0] as string, argv.slice(1), {...options, buffer: false, forceKillAfterDelay: false})
      let log = ''
      serve.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString()
      })
      const url = await eventually(() => /on (http:\/\/\S+) \(clock/.exec(log)?.[1], `joe serve to listen:\n${log}`)
      expect(url).toBe(`http://127.0.0.1:${port}`)
      const ready = await execa(process.execPath, [path.join(ROOT, 'deploy/docker/healthcheck.mjs'), `${url}/readyz`], {reject: false})
      expect(ready.exitCode, ready.stdout).toBe(0)
      expect(existsSync(path.join(folders['/var/lib/joe'], 'prod.db'))).toBe(true)
      serve.kill(one('KillSignal') as NodeJS.Signals)
      const exited = await serve
      expect(exited.exitCode, log).toBe(0)
      expect(log).toContain('joe serve stopped')
    })
  })
})

// The Dockerfile, checked without a container engine (none runs on the machines that test joe):
// its syntax, what it copies, what the runtime image holds, and a build of the image as folders
// whose `joe serve` answers its own health check and stops cleanly.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {validate} from 'dockerfile-utils'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import {eventually} from '../helpers/serve-process.js'
import {buildAsFolders, contextFiles, copiesOf, dockerignore, filesOf, isFile, ROOT, readStages} from './docker-build.js'

const stages = readStages()
const runtime = stages.at(-1)!
const step = (keyword: string) => runtime.steps.filter((s) => s.keyword === keyword)

describe('Dockerfile', () => {
  it('is valid Dockerfile syntax, without warnings', () => {
    expect(validate(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))).toEqual([])
  })

  it('builds in stages: all dependencies to build, production dependencies alone to run', () => {
    expect(stages.map((s) => s.name)).toEqual(['toolchain', 'build', 'deps', 'runtime'])
    const runs = (name: string) =>
      stages
        .find((s) => s.name === name)!
        .steps.filter((s) => s.keyword === 'RUN')
        .map((s) => s.args.join(' '))
    // The same commands as CI's set-up (.ci/run) and the first step of `npm test`.
    const ci = readFileSync(path.join(ROOT, '.ci/run'), 'utf8')
    expect(ci).toContain('\nnpm install --no-audit --no-fund\n')
    expect(runs('build')).toEqual(['npm install --no-audit --no-fund', 'npm run build'])
    expect(runs('deps')).toEqual(['npm install --omit=dev --no-audit --no-fund'])
    // Both installs compile better-sqlite3 on the runtime's own base image, Node.js and libc.
    const base = (s: string) => stages.find((x) => x.name === s)!.from
    expect(base('toolchain')).toBe(runtime.from)
    expect(base('deps')).toBe('toolchain')
    expect(copiesOf(runtime).find((c) => c.from === 'deps')).toMatchObject({sources: ['/app/node_modules'], dest: '/app/node_modules'})
    expect(copiesOf(runtime).some((c) => c.from === 'build' && c.sources.includes('/app/node_modules'))).toBe(false)
  })

  it('copies only what the build context holds, and the context keeps stores, secrets and host builds out', () => {
    const context = contextFiles()
    for (const stage of stages) {
      for (const copy of copiesOf(stage).filter((c) => c.from === undefined)) {
        for (const source of copy.sources) expect(filesOf(source, context), `Dockerfile:${copy.line} COPY ${source}`).not.toEqual([])
      }
    }
    const {ignored} = dockerignore(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'))
    for (const file of [
      '.env',
      'examples/.joe/dev.db',
      'node_modules/pg/package.json',
      'dist/commands/serve.js',
      'test/e2e/x.test.ts',
      '.git/HEAD',
    ])
      expect(ignored(file), file).toBe(true)
    for (const file of ['src/commands/serve.ts', 'package-lock.json', 'deploy/docker/healthcheck.mjs', 'examples/joe.config.yaml'])
      expect(ignored(file), file).toBe(false)
    expect(context.filter((f) => /(^|\/)(\.joe|node_modules|\.env)(\/|$)/.test(f))).toEqual([])
  })

  it('reads .dockerignore as Docker does: a pattern matches a path or a folder above it, the last match wins', () => {
    const {ignored} = dockerignore('*\n!src\n**/*.db\n!keep/*.db\ndocs/**/draft-?.md\n')
    expect(ignored('README.md')).toBe(true)
    expect(ignored('src/a/b.ts')).toBe(false)
    expect(ignored('src/store.db')).toBe(true)
    expect(ignored('keep/x.db')).toBe(false) // `!keep/*.db` comes last: it lets the file through, although `*` excluded keep/
    expect(ignored('keep/y.txt')).toBe(true)
    const docs = dockerignore('docs/**/draft-?.md\n').ignored
    expect([docs('docs/draft-1.md'), docs('docs/a/b/draft-2.md'), docs('docs/draft-10.md')]).toEqual([true, true, false])
  })

  it('ships in its runtime image what the npm package ships, and the health check', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {files: string[]}
    const copied = copiesOf(runtime).flatMap((c) => c.sources.map((s) => path.posix.relative('/app', path.posix.resolve('/app', s))))
    expect(copied.sort()).toEqual([...pkg.files, 'package.json', 'node_modules', 'deploy/docker/healthcheck.mjs'].sort())
  })

  it('runs `joe serve` as the unprivileged node user, with a health check on /readyz', () => {
    expect(step('USER').map((s) => s.args[0])).toEqual(['node'])
    expect(step('ENTRYPOINT')[0]?.json).toEqual(['node', '/app/bin/run.js'])
    expect(step('CMD')[0]?.json).toEqual(['serve', '--env', 'prod', '--role', 'all', '--host', '0.0.0.0', '--port', '8787'])
    expect(step('EXPOSE')[0]?.args).toEqual(['8787'])
    const health = step('HEALTHCHECK')[0]
    expect(health?.json).toEqual(['node', '/app/deploy/docker/healthcheck.mjs', 'http://127.0.0.1:8787/readyz'])
    expect(health?.flags).toMatchObject({interval: '10s', 'start-period': '30s'})
  })

  describe('built as folders, as a container engine would build it', {timeout: 900_000}, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'joe-image-'))
    afterAll(() => rmSync(dir, {recursive: true, force: true}))

    it('builds with the same commands as `npm test`, and its runtime stage alone runs joe serve', async () => {
      buildAsFolders(dir)
      const app = path.join(dir, 'runtime/app')
      expect(isFile(path.join(app, 'dist/commands/serve.js'))).toBe(true)
      expect(isFile(path.join(app, 'oclif.manifest.json'))).toBe(true)
      // The image's project folder, here with an embedded store (a PostgreSQL one needs no writable folder).
      const project = path.join(dir, 'runtime/project')
      writeFileSync(
        path.join(project, 'joe.config.yaml'),
        'environments:\n  prod:\n    store: "sqlite:.joe/prod.db"\n    write_keys: ["${JOE_WRITE_KEY}"]\n    channels:\n      webhook: { connector: stdout }\n',
      )
      execFileSync('mkdir', ['-p', path.join(project, 'journeys')])
      writeFileSync(
        path.join(project, 'journeys/hello.journey.yaml'),
        'version: 1\nid: hello\nname: Hello\nentry: { event: signed_up }\nsteps:\n  - { id: hi, send: { channel: webhook, template: hi } }\n',
      )
      // --preserve-symlinks: packages resolve inside the image's node_modules (production only), never beyond.
      const [node, entry] = step('ENTRYPOINT')[0]!.json!
      const inImage = (p: string) => (p.startsWith('/app/') ? path.join(app, p.slice('/app/'.length)) : p)
      const joe = (args: string[], extra = {}) =>
        execa(node === 'node' ? process.execPath : node!, ['--preserve-symlinks', '--preserve-symlinks-main', inImage(entry!), ...args], {
          cwd: project,
          reject: false,
          env: {NODE_ENV: 'production', JOE_WRITE_KEY: 'k', NO_COLOR: '1'},
          extendEnv: false,
          ...extra,
        })
      const deployed = await joe(['deploy', '--env', 'prod', '--yes'])
      expect(deployed.exitCode, deployed.stderr).toBe(0)
      const cmd = step('CMD')[0]!.json!.map((arg) => (arg === '0.0.0.0' ? '127.0.0.1' : arg === '8787' ? '0' : arg))
      const serve = joe(cmd, {buffer: false, forceKillAfterDelay: false})
      let log = ''
      serve.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString()
      })
      const url = await eventually(() => /on (http:\/\/\S+) \(clock/.exec(log)?.[1], `joe serve to listen:\n${log}`)
      const [, script, probe] = step('HEALTHCHECK')[0]!.json!
      const check = await execa(process.execPath, [inImage(script!), probe!.replace('http://127.0.0.1:8787', url)], {reject: false})
      expect(check.exitCode, check.stdout).toBe(0)
      expect(JSON.parse(check.stdout.slice(check.stdout.indexOf('{')))).toMatchObject({ready: true, role: 'all'})
      serve.kill('SIGTERM')
      expect((await serve).exitCode, log).toBe(0)
      // What a missing production dependency looks like: the same tree refuses a development-only package.
      const devOnly = await execa(
        process.execPath,
        ['--preserve-symlinks', '-e', "import('vitest').then(() => process.exit(0), () => process.exit(7))"],
        {cwd: app, reject: false},
      )
      expect(devOnly.exitCode).toBe(7)
    })
  })
})

import {createHmac} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {beforeEach, describe, expect, it} from 'vitest'
import {canonicalJson, sha256} from '../../src/core/deploy/canonical.js'
import {assertOutput} from '../helpers/output-schemas.js'
import {POSTGRES_URL, withSearchPath} from '../helpers/postgres.js'
import {tempProject} from '../helpers/temp-project.js'

// Regression tests of issue 12 (deploy integrity), against the built CLI as a user runs it.
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')
const KEY = 'k'.repeat(40)

const cart = (template = 'cart-1', id = 'cart') =>
  `version: 1\nid: ${id}\nname: Cart\nentry: { event: cart_updated }\nsteps:\n  - { id: wait-1h, wait: 1h }\n  - { id: email-1, send: { channel: email, template: ${template} } }\n`

// biome-ignore lint/suspicious/noExplicitAny: plan files are edited freely, as an attacker would
type Plan = Record<string, any>

// Generous timeouts: every step starts node, and the machine may be loaded.
describe('deploy integrity (built CLI)', {timeout: 300_000}, () => {
  let dir: string
  const joe = (args: string[], env: Record<string, string> = {}) =>
    execa('node', [bin, ...args], {cwd: dir, reject: false, env: {NO_COLOR: '1', ...env}})
  const readPlan = (file = 'p.json'): Plan => JSON.parse(readFileSync(path.join(dir, file), 'utf8'))
  const writePlan = (plan: Plan, file = 'p.json') => writeFileSync(path.join(dir, file), JSON.stringify(plan, null, 2))
  /** Signs an edited plan as joe does with JOE_PLAN_KEY, so that the checks behind the signature are reached. */
  const resign = (plan: Plan): Plan => {
    const {signature: _old, ...rest} = plan
    return {...rest, signature: `hmac-sha256:${createHmac('sha256', KEY).update(canonicalJson(rest)).digest('hex')}`}
  }
  /** Replaces the document of the plan's first change, recomputing its hash as an attacker would. */
  const withDocument = (plan: Plan, document: string): Plan => {
    const change = plan.changes[0]
    const hash = sha256(document)
    return {...plan, changes: [{...change, to: hash}, ...plan.changes.slice(1)], documents: {[hash]: document}}
  }

  beforeEach(async () => {
    dir = await tempProject({
      'joe.config.yaml': `environments:
  dev: { store: "sqlite:.joe/dev.db" }
  staging: { store: "sqlite:.joe/staging.db" }
  prod: { store: "sqlite:.joe/prod.db", protected: true, promote_from: staging }
`,
      'journeys/cart.journey.yaml': cart(),
    })
  })

  it('refuses a plan edited after `joe plan`, even with its hash recomputed (12.1)', async () => {
    expect((await joe(['plan', '--env', 'dev', '--out', 'p.json'])).exitCode).toBe(0)
    const plan = readPlan()
    const document = plan.documents[plan.changes[0].to]
    writePlan(withDocument(plan, document.replace('cart-1', 'evil-1')))
    const run = await joe(['deploy', 'p.json', '--yes'])
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.stderr).toContain('JOE6015')
    expect((await joe(['status', '--env', 'dev', '--json'])).stdout).not.toContain('"cart"')
  })

  it('re-validates every document of a signed plan as a journey, and checks ids (12.1)', async () => {
    const signed = {JOE_PLAN_KEY: KEY}
    expect((await joe(['plan', '--env', 'dev', '--out', 'p.json'], signed)).exitCode).toBe(0)
    const plan = readPlan()
    const document: string = plan.documents[plan.changes[0].to]
    const model = JSON.parse(document)
    // Every form is covered in-process by test/core/deploy/revision-check.test.ts; these prove the CLI path checks.
    const variants: Array<[string, Plan]> = [
      ['not JSON', withDocument(plan, 'not json at all')],
      [
        'a dangling next',
        withDocument(plan, canonicalJson({...model, steps: [{...model.steps[0], next: 'nowhere', nextExplicit: true}, model.steps[1]]})),
      ],
      [
        'an id like a path',
        withDocument({...plan, changes: [{...plan.changes[0], journey: '../../etc'}]}, canonicalJson({...model, id: '../../etc'})),
      ],
    ]
    for (const [what, edited] of variants) {
      writePlan(resign(edited))
      const run = await joe(['deploy', 'p.json', '--yes'], signed)
      expect(run.exitCode, `${what}: ${run.stderr}`).toBe(1)
      expect(run.stderr, what).toContain('JOE6016')
    }
    expect(JSON.parse((await joe(['history', '--env', 'dev', '--json'])).stdout).entries).toEqual([])
  })

  it('checks every `from` against the active revision, and a copied head does not make an old plan fresh (12.1)', async () => {
    const signed = {JOE_PLAN_KEY: KEY}
    expect((await joe(['deploy', '--env', 'dev', '--yes'], signed)).exitCode).toBe(0)
    writeFileSync(path.join(dir, 'journeys/cart.journey.yaml'), cart('cart-2'))
    expect((await joe(['plan', '--env', 'dev', '--out', 'old.json'], signed)).exitCode).toBe(0)
    writeFileSync(path.join(dir, 'journeys/cart.journey.yaml'), cart('cart-3'))
    expect((await joe(['deploy', '--env', 'dev', '--yes'], signed)).exitCode).toBe(0)
    const head = JSON.parse((await joe(['history', '--env', 'dev', '--json'])).stdout).entries[0]
    const old = readPlan('old.json')
    // Unsigned edit of the head: the signature no longer matches.
    writePlan({...old, head: {id: head.id, hash: head.hash}}, 'old.json')
    const edited = await joe(['deploy', 'old.json', '--yes'], signed)
    expect(edited.exitCode).toBe(1)
    expect(edited.stderr).toContain('JOE6015')
    // Even re-signed (someone holding the key), the plan's `from` is not what is active.
    writePlan(resign({...old, head: {id: head.id, hash: head.hash}}), 'old.json')
    const resigned = await joe(['deploy', 'old.json', '--yes'], signed)
    expect(resigned.exitCode, resigned.stderr).toBe(1)
    expect(resigned.stderr).toContain('JOE6017')
    // A false `from` is refused the same way, never a crash.
    writePlan(resign({...old, head: {id: head.id, hash: head.hash}, changes: [{...old.changes[0], from: 'f'.repeat(64)}]}), 'old.json')
    const falseFrom = await joe(['deploy', 'old.json', '--yes'], signed)
    expect(falseFrom.exitCode, falseFrom.stderr).toBe(1)
    expect(falseFrom.stderr).toContain('JOE6017')
  })

  it('protects a protected environment against --prune, and --prune against dropping waiting customers (12.3)', async () => {
    expect((await joe(['deploy', '--env', 'staging', '--yes'])).exitCode).toBe(0)
    expect((await joe(['promote', '--from', 'staging', '--to', 'prod', '--yes'])).exitCode).toBe(0)
    writeFileSync(path.join(dir, 'journeys/cart.journey.yaml'), cart('cart-1', 'welcome'))
    // cart still runs in staging: removing it from prod needs --force.
    expect((await joe(['deploy', '--env', 'staging', 'welcome', '--yes'])).exitCode).toBe(0)
    expect((await joe(['promote', '--from', 'staging', '--to', 'prod', '--yes'])).exitCode).toBe(0)
    const pruned = await joe(['deploy', '--env', 'prod', '--prune', '--yes'])
    expect(pruned.exitCode).toBe(1)
    expect(pruned.stderr).toContain('JOE6020')
    // In staging (not protected), removing cart drops customers waiting at wait-1h: --allow-drop.
    const dropped = await joe(['deploy', '--env', 'staging', '--prune', '--yes'])
    expect(dropped.exitCode).toBe(1)
    expect(dropped.stderr).toContain('JOE6022')
    expect((await joe(['deploy', '--env', 'staging', '--prune', '--yes', '--allow-drop'])).exitCode).toBe(0)
  })

  it('`joe verify` checks the ledger chain, and writes refuse a broken one (12.4)', async () => {
    expect((await joe(['deploy', '--env', 'dev', '--yes', '-m', 'one'])).exitCode).toBe(0)
    writeFileSync(path.join(dir, 'journeys/cart.journey.yaml'), cart('cart-2'))
    expect((await joe(['deploy', '--env', 'dev', '--yes', '-m', 'two'])).exitCode).toBe(0)
    const ok = await joe(['verify', '--env', 'dev', '--json'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({format_version: 1, ok: true, problems: []})
    const {default: Database} = await import('better-sqlite3')
    const db = new Database(path.join(dir, '.joe/dev.db'))
    db.exec("DROP TRIGGER joe_ledger_no_update; UPDATE joe_ledger SET message = 'three' WHERE id = 1")
    db.close()
    const broken = await joe(['verify', '--env', 'dev', '--json'])
    expect(broken.exitCode).toBe(1)
    assertOutput('verify', JSON.parse(broken.stdout))
    expect(JSON.parse(broken.stdout).problems).toEqual([expect.objectContaining({kind: 'chain', entry: 1})])
    expect((await joe(['verify', '--env', 'dev'])).stdout).toContain('#1')
    for (const args of [
      ['deploy', '--env', 'dev', '--yes'],
      ['pause', '--env', 'dev', 'cart'],
      ['rollback', '--env', 'dev', 'cart', '--yes'],
    ]) {
      const run = await joe(args)
      expect(run.exitCode, args.join(' ')).toBe(1)
      expect(run.stderr, args.join(' ')).toContain('JOE6018')
    }
  })

  it('`joe plan` shows every gate, and --detailed-exitcode says whether anything changes (12.5)', async () => {
    const none = await joe(['plan', '--env', 'prod', '--detailed-exitcode'])
    expect(none.exitCode).toBe(1)
    expect(none.stdout).toContain('JOE6020')
    expect((await joe(['plan', '--env', 'dev', '--detailed-exitcode'])).exitCode).toBe(2)
    expect((await joe(['deploy', '--env', 'dev', '--yes'])).exitCode).toBe(0)
    expect((await joe(['plan', '--env', 'dev', '--detailed-exitcode'])).exitCode).toBe(0)
    expect((await joe(['plan', '--env', 'dev'])).exitCode).toBe(0)
    const dryRun = await joe(['deploy', '--env', 'prod', '--dry-run'])
    expect(dryRun.exitCode).toBe(1)
    expect(dryRun.stdout).toContain('JOE6020')
    const dryJson = await joe(['deploy', '--env', 'prod', '--dry-run', '--json'])
    expect(dryJson.exitCode).toBe(1)
    const refused = JSON.parse(dryJson.stdout)
    assertOutput('deploy', refused)
    expect(refused).toMatchObject({
      applied: false,
      reason: 'refused',
      gates: {findings: [expect.objectContaining({code: 'JOE6020', blocking: true})]},
    })
    const planJson = await joe(['plan', '--env', 'prod', '--json'])
    assertOutput('plan', JSON.parse(planJson.stdout))
  })

  it('rollback asks like deploy; plan --out DIR and a bad --lock-timeout are usage errors (7)', async () => {
    expect((await joe(['deploy', '--env', 'dev', '--yes'])).exitCode).toBe(0)
    writeFileSync(path.join(dir, 'journeys/cart.journey.yaml'), cart('cart-2'))
    expect((await joe(['deploy', '--env', 'dev', '--yes'])).exitCode).toBe(0)
    const asked = await joe(['rollback', '--env', 'dev', 'cart'])
    expect(asked.exitCode).toBe(2)
    expect(asked.stderr).toContain('JOE6008')
    expect((await joe(['rollback', '--env', 'dev', 'cart', '--yes'])).exitCode).toBe(0)
    const out = await joe(['plan', '--env', 'dev', '--out', 'journeys'])
    expect(out.exitCode).toBe(2)
    expect(out.stderr).toContain('JOE6014')
    const timeout = await joe(['deploy', '--env', 'dev', '--lock-timeout', 'soon'])
    expect(timeout.exitCode).toBe(2)
    expect(timeout.stderr).toContain('"soon" is not a duration')
  })

  it('never prints or stores a credential of a store URL, in any form and any output (12.2)', async () => {
    // With a PostgreSQL server the commands succeed (it ignores passwords it does not ask for);
    // without one they fail to connect: both paths must keep the secrets.
    const base = POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:1/joe'
    const schema = `joe_secrets_${process.pid}`
    if (POSTGRES_URL) {
      const {default: pg} = await import('pg')
      const admin = new pg.Client({connectionString: POSTGRES_URL})
      await admin.connect()
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`)
      await admin.end()
    }
    const server = new URL(withSearchPath(base, schema))
    const secrets = ['pw-userinfo', 'pw-query', 'pw-sslpassword', 'pw-token', 'pw-apikey', 'pw-plain', 'pw-down-1', 'pw-down-2']
    const a = `postgres://${server.username}:pw-userinfo@${server.host}${server.pathname}${server.search}&password=pw-query&sslpassword=pw-sslpassword&token=pw-token&api_key=pw-apikey`
    const b = `postgresql://${server.host}${server.pathname}${server.search}&user=${server.username}&password=pw-plain`
    const down = 'postgres://joe:pw-down-1@127.0.0.1:1/joe?password=pw-down-2'
    writeFileSync(
      path.join(dir, 'joe.config.yaml'),
      `environments:\n  a: { store: "${a}" }\n  b: { store: "${b}" }\n  down: { store: "${down}" }\n`,
    )
    const runs: Array<{args: string[]; output: string}> = []
    /** Runs each command in text and in JSON mode, both with --debug; commands of one call run side by side. */
    const run = async (...commands: string[][]) => {
      const all = commands.flatMap((args) => [
        [...args.map((a) => a.replace('MODE', 'text')), '--debug'],
        [...args.map((a) => a.replace('MODE', 'json')), '--json', '--debug'],
      ])
      for (let i = 0; i < all.length; i += 4) {
        await Promise.all(
          all.slice(i, i + 4).map(async (args) => {
            const result = await joe(args)
            runs.push({args, output: `${result.stdout}\n${result.stderr}`})
            if (args.includes('--json')) {
              const output = JSON.parse(result.stdout)
              assertOutput('error' in output ? 'error' : (args[0] as string), output)
            }
          }),
        )
      }
    }
    await run(
      ['plan', '--env', 'a', '--out', 'a-MODE.json'],
      ['deploy', '--env', 'a', '--dry-run'],
      ['status', '--env', 'b'],
      ['status', '--env', 'down'],
      ['plan', '--env', 'down'],
      ['deploy', '--env', 'down', '--yes'],
      ['verify', '--env', 'down'],
    )
    for (const mode of ['text', 'json']) {
      for (const args of [
        ['deploy', '--env', 'a', '--yes'],
        ['pause', '--env', 'a', 'cart'],
        ['resume', '--env', 'a', 'cart'],
      ]) {
        const full = mode === 'json' ? [...args, '--json', '--debug'] : [...args, '--debug']
        const result = await joe(full)
        runs.push({args: full, output: `${result.stdout}\n${result.stderr}`})
      }
    }
    await run(
      ['status', '--env', 'a'],
      ['history', '--env', 'a'],
      ['verify', '--env', 'a'],
      ['rollback', '--env', 'a', 'cart', '--yes'],
      ['deploy', 'a-MODE.json', '--yes'],
    )
    await run(['promote', '--from', 'a', '--to', 'b', '--yes'])
    const files = ['a-text.json', 'a-json.json'].map((f) => {
      try {
        return readFileSync(path.join(dir, f), 'utf8')
      } catch {
        return ''
      }
    })
    for (const {args, output} of [...runs, {args: ['plan files'], output: files.join('\n')}]) {
      for (const secret of secrets) expect(output, `${args.join(' ')} printed ${secret}`).not.toContain(secret)
    }
    if (POSTGRES_URL) {
      expect(runs.find((r) => r.args.join(' ') === 'status --env a --json --debug')?.output).toContain('"store": "postgres://postgres:***@')
      const {default: pg} = await import('pg')
      const admin = new pg.Client({connectionString: POSTGRES_URL})
      await admin.connect()
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    }
  }, 600_000)
})

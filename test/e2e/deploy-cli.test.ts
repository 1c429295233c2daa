import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {assertOutput} from '../helpers/output-schemas.js'
import {BACKENDS, type TestStore} from '../helpers/postgres.js'
import {tempProject} from '../helpers/temp-project.js'
import {HEAVY_TEST_TIMEOUT} from '../helpers/timeouts.js'

// End-to-end: the built CLI (npm test builds first), in a git repository, as a user runs it.
// dev and prod are SQLite files; staging is PostgreSQL when JOE_TEST_POSTGRES_URL is set.
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')

const journey = (
  template: string,
  steps = `  - { id: wait-1h, wait: 1h }\n  - { id: email-1, send: { channel: email, template: ${template} } }`,
) => `version: 1\nid: cart\nname: Cart\nentry: { event: cart_updated }\nsteps:\n${steps}\n`

// Generous timeouts: every step starts node, and the machine may be loaded.
describe('joe deploy, plan, status, history, promote, rollback, pause, resume (built CLI)', {timeout: HEAVY_TEST_TIMEOUT}, () => {
  let dir: string
  let staging: TestStore | undefined
  const joe = (args: string[], env: Record<string, string> = {}) =>
    execa('node', [bin, ...args], {cwd: dir, reject: false, env: {NO_COLOR: '1', STAGING_PASSWORD: 'hunter2', ...env}})
  /** Runs a command with --json, and checks its output against schemas/output/COMMAND.schema.json. */
  const json = async (args: string[]) => {
    const run = await joe([...args, '--json'])
    expect(run.exitCode, run.stderr || run.stdout).toBe(0)
    const output = JSON.parse(run.stdout)
    assertOutput(args[0] as string, output)
    return output
  }

  beforeAll(async () => {
    const postgres = BACKENDS.find((b) => b.name === 'postgres')
    staging = postgres ? await postgres.create() : undefined
    const stagingUrl = staging ? staging.url('staging') : 'sqlite:.joe/staging.db'
    dir = await tempProject({
      'joe.config.yaml': `environments:
  dev: { store: "sqlite:.joe/dev.db" }
  staging: { store: "${stagingUrl}" }
  prod: { store: "sqlite:.joe/prod.db", protected: true, promote_from: staging }
  secret: { store: "postgres://joe:\${STAGING_PASSWORD}@127.0.0.1:1/joe" }
  missing: { store: "\${JOE_NOT_SET_ANYWHERE}" }
`,
      'journeys/cart.journey.yaml': journey('cart-1'),
    })
    const git = (args: string[]) => execa('git', args, {cwd: dir})
    await git(['init', '-q'])
    await git(['config', 'user.name', 'Dana Deployer'])
    await git(['config', 'user.email', 'dana@example.com'])
    await git(['add', '.'])
    await git(['-c', 'commit.gpgsign=false', 'commit', '-qm', 'journeys'])
  })
  afterAll(async () => {
    await staging?.dispose()
  })

  it('shows the plan and refuses to apply it without --yes when there is no terminal', async () => {
    const run = await joe(['deploy', '--env', 'dev'])
    expect(run.exitCode).toBe(2)
    expect(run.stdout).toContain('+ cart')
    expect(run.stderr).toContain('JOE6008')
    expect((await joe(['deploy', '--env', 'dev', '--dry-run'])).stdout).toContain('Dry run: nothing was applied.')
  })

  it('deploys, records who and which commit, and says a re-deploy is a no-op', async () => {
    const result = await json(['deploy', '--env', 'dev', '--yes', '-m', 'first'])
    expect(result).toMatchObject({
      applied: true,
      ledger: [{id: 1, journey: 'cart', action: 'create', actor: 'Dana Deployer', message: 'first'}],
    })
    expect(result.ledger[0].git_commit).toMatch(/^[0-9a-f]{40}$/)
    const again = await joe(['deploy', '--env', 'dev', '--yes'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('No changes: dev is up to date.')
    const status = await json(['status', '--env', 'dev'])
    expect(status.journeys).toEqual([expect.objectContaining({journey: 'cart', by: 'Dana Deployer', paused: false})])
  })

  it('refuses to deploy a project with validation errors', async () => {
    writeFileSync(path.join(dir, 'journeys/broken.journey.yaml'), 'version: 1\nid: broken\n')
    const run = await joe(['deploy', '--env', 'dev', '--yes'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('JOE6010')
    writeFileSync(path.join(dir, 'journeys/broken.journey.yaml'), journey('x').replace('id: cart', 'id: other'))
    // The new journey is not committed: the ledger says so.
    const dirty = await json(['deploy', '--env', 'dev', '--yes', '--prune'])
    expect(dirty.ledger[0].git_commit).toMatch(/^[0-9a-f]{40}-dirty$/)
    expect((await joe(['history', '--env', 'dev'])).stdout).toMatch(/#2 .*@[0-9a-f]{8}-dirty/)
    const both = await joe(['deploy', '--env', 'dev', '--yes', '--prune', 'cart'])
    expect(both.exitCode).toBe(2)
    expect(both.stderr).toContain('JOE6014')
  })

  it('applies a saved plan exactly once; a second time it is stale', async () => {
    const plan = await json(['plan', '--env', 'staging', '--out', 'plan.json'])
    expect(plan.changes.map((c: {journey: string}) => c.journey)).toEqual(['cart', 'other'])
    expect((await json(['deploy', 'plan.json', '--yes'])).applied).toBe(true)
    const stale = await joe(['deploy', 'plan.json', '--yes'])
    expect(stale.exitCode).toBe(1)
    expect(stale.stderr).toContain('JOE6006')
  })

  it('guards the protected environment and promotes into it, visible in history', async () => {
    writeFileSync(path.join(dir, 'journeys/cart.journey.yaml'), journey('cart-2'))
    const refused = await joe(['deploy', '--env', 'prod', '--yes'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain('JOE6020')
    const promoted = await json(['promote', '--from', 'staging', '--to', 'prod', '--yes', '-m', 'release 1'])
    expect(promoted.ledger.map((e: {kind: string; details: object}) => [e.kind, e.details])).toEqual([
      ['promote', {promoted_from: 'staging'}],
      ['promote', {promoted_from: 'staging'}],
    ])
    const history = await joe(['history', '--env', 'prod'])
    expect(history.stdout).toMatch(/#2 .* promote .*from staging.*"release 1"/)
  })

  it('refuses to drop waiting customers without --allow-drop, then rolls back', async () => {
    writeFileSync(
      path.join(dir, 'journeys/cart.journey.yaml'),
      journey('cart-2', '  - { id: email-1, send: { channel: email, template: cart-2 } }'),
    )
    const refused = await joe(['deploy', '--env', 'dev', '--yes'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stdout).toContain('drops customers waiting at wait-1h')
    expect(refused.stderr).toContain('JOE6022')
    expect((await json(['deploy', '--env', 'dev', '--yes', '--allow-drop'])).applied).toBe(true)
    const back = await json(['rollback', '--env', 'dev', 'cart', '-m', 'oops', '--yes'])
    expect(back.ledger[0]).toMatchObject({kind: 'rollback', journey: 'cart', message: 'oops'})
    const history = await json(['history', '--env', 'dev', 'cart'])
    expect(history.entries.map((e: {kind: string}) => e.kind)).toEqual(['rollback', 'deploy', 'deploy'])
  })

  it('pauses and resumes', async () => {
    expect(await json(['pause', '--env', 'dev', 'cart'])).toMatchObject({paused: true, changed: true})
    expect((await joe(['pause', '--env', 'dev', 'cart'])).stdout).toContain('already paused')
    expect((await json(['status', '--env', 'dev'])).journeys[0].paused).toBe(true)
    expect(await json(['resume', '--env', 'dev', 'cart'])).toMatchObject({paused: false, changed: true})
    expect(await json(['verify', '--env', 'dev'])).toMatchObject({ok: true, checked: {entries: 6}})
  })

  it('never prints a store password, and names a missing variable', async () => {
    const unreachable = await joe(['status', '--env', 'secret'])
    expect(unreachable.exitCode).toBe(1)
    expect(unreachable.stderr).toContain('JOE6003')
    expect(unreachable.stderr + unreachable.stdout).not.toContain('hunter2')
    const missing = await joe(['status', '--env', 'missing', '--json'])
    expect(JSON.parse(missing.stdout).error).toMatchObject({code: 'JOE1021', message: expect.stringContaining('JOE_NOT_SET_ANYWHERE')})
    assertOutput('error', JSON.parse(missing.stdout))
    const unknown = await joe(['status', '--env', 'nope'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('JOE6001')
  })
})

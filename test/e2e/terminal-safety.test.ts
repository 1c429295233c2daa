import {rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {beforeAll, describe, expect, it} from 'vitest'
import {tempProject} from '../helpers/temp-project.js'
import {HEAVY_TEST_TIMEOUT} from '../helpers/timeouts.js'

// Control sequences in data (event properties and types, customer ids, YAML values, `-m` messages,
// git user names) must reach the terminal escaped, from every command that prints them.
const root = path.resolve(import.meta.dirname, '../..')
const bin = path.join(root, 'bin/run.js')

const CLEAR = '\u001b[2J\u001b[H'
const TITLE = '\u001b]0;pwned\u0007'
const C1_CSI = '\u009b31m'
const BIDI = '\u202e'
/** Any raw control or bidi character: with NO_COLOR, joe's own output has none but line breaks. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

const events = [
  {customer_id: `c1${CLEAR}`, type: `evil${TITLE}`, timestamp: '2026-03-01T10:00:00Z', properties: {note: `${C1_CSI}${BIDI}x`}},
  {customer_id: `c1${CLEAR}`, type: 'identify', timestamp: '2026-03-01T09:00:00Z', properties: {name: `${CLEAR}Eve`}},
]
  .map((e) => JSON.stringify(e))
  .join('\n')

// YAML double-quoted scalars turn \e and \a into the real characters.
const journey = `version: 1
id: evil
name: "Evil \\e[2J journey"
entry: { event: "evil\\e]0;pwned\\a" }
steps:
  - { id: wait-1h, wait: 1h }
  - { id: email-1, send: { channel: email, template: "t\\e[31m1" } }
`

function expectSafe(run: {stdout: string; stderr: string}): void {
  expect(run.stdout).not.toMatch(RAW)
  expect(run.stderr).not.toMatch(RAW)
}

describe('terminal escapes in data are printed escaped (built CLI)', {timeout: HEAVY_TEST_TIMEOUT}, () => {
  let dir: string
  const joe = (...args: string[]) => execa('node', [bin, ...args], {cwd: dir, reject: false, env: {NO_COLOR: '1'}})

  beforeAll(async () => {
    dir = await tempProject({
      'joe.config.yaml': 'environments:\n  dev: { store: "sqlite:.joe/dev.db" }\n',
      'journeys/evil.journey.yaml': journey,
      'events.ndjson': `${events}\n`,
      'bad.ndjson': `{"customer_id": "c", "type": "x", "timestamp": "2026-03-01T10:00:00Z"}\n${CLEAR}not json${TITLE}\n`,
    })
    const git = (args: string[]) => execa('git', args, {cwd: dir})
    await git(['init', '-q'])
    await git(['config', 'user.name', `Mallory${TITLE}`])
    await git(['config', 'user.email', 'm@example.com'])
    await git(['add', '.'])
    await git(['-c', 'commit.gpgsign=false', 'commit', '-qm', 'evil'])
    const imported = await joe('events', 'import', 'events.ndjson')
    expect(imported.exitCode, imported.stderr).toBe(0)
  })

  it('events show, events stats, an import with a bad line, an unknown customer', async () => {
    const show = await joe('events', 'show', `c1${CLEAR}`)
    expect(show.exitCode, show.stderr).toBe(0)
    expect(show.stdout).toContain('c1\\x1b[2J\\x1b[H')
    expect(show.stdout).toContain('evil\\x1b]0;pwned\\x07')
    expectSafe(show)
    const stats = await joe('events', 'stats')
    expect(stats.stdout).toContain('evil\\x1b]0;pwned\\x07')
    expectSafe(stats)
    const skipped = await joe('events', 'import', 'bad.ndjson', '--skip-invalid')
    expect(skipped.exitCode, skipped.stderr).toBe(0)
    expectSafe(skipped)
    const refused = await joe('events', 'import', 'bad.ndjson', '--store', '.joe/other.db')
    expect(refused.exitCode).toBe(1)
    expectSafe(refused)
    const unknown = await joe('events', 'show', `nobody${TITLE}`)
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stderr).toContain('nobody\\x1b]0;pwned\\x07')
    expectSafe(unknown)
  })

  it('simulate, its customer trace, validate and test', async () => {
    const simulate = await joe('simulate', 'evil', '--customer', `c1${CLEAR}`)
    expect(simulate.exitCode, simulate.stderr).toBe(0)
    expect(simulate.stdout).toContain('evil\\x1b]0;pwned\\x07')
    expectSafe(simulate)
    expectSafe(await joe('simulate', 'evil'))
    const validate = await joe('validate', '--strict')
    expectSafe(validate)
    const broken = 'version: 1\nid: evil2\nname: x\nentry: { event: a }\nsteps:\n  - { id: w, wait: 1h, next: "\\e[2Jgone" }\n'
    await writeFile(path.join(dir, 'journeys/evil2.journey.yaml'), broken)
    const invalid = await joe('validate')
    expect(invalid.exitCode).toBe(1)
    expect(invalid.stdout).toContain('\\x1b[2Jgone')
    expectSafe(invalid)
    expectSafe(await joe('validate', '--format', 'github'))
  })

  it('history and status, with a message and a git user name that hold escapes', async () => {
    await rm(path.join(dir, 'journeys/evil2.journey.yaml'), {force: true})
    const deployed = await joe('deploy', '--env', 'dev', '--yes', '-m', `ship it${CLEAR}${BIDI}`)
    expect(deployed.exitCode, deployed.stderr).toBe(0)
    expectSafe(deployed)
    const history = await joe('history', '--env', 'dev')
    expect(history.stdout).toContain('Mallory\\x1b]0;pwned\\x07')
    expect(history.stdout).toContain('ship it\\x1b[2J\\x1b[H\\u202e')
    expectSafe(history)
    const status = await joe('status', '--env', 'dev')
    expect(status.stdout).toContain('Mallory\\x1b]0;pwned\\x07')
    expectSafe(status)
  })
})

// What joe reads from a project: regular files only, bounded, never through a symlink out of the
// project root, and a bounded walk. Each case hung, ate memory or leaked a file before.
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, symlink, truncate, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {readPlanFile} from '../../../src/core/deploy/plan-file.js'
import {loadJourneyText} from '../../../src/core/diff/journey-text.js'
import {defaultConfig} from '../../../src/core/project/config.js'
import {discoverFiles} from '../../../src/core/project/discover.js'
import {readBounded} from '../../../src/core/project/user-files.js'
import {importEvents} from '../../../src/core/store/import-events.js'
import {openEventStore} from '../../../src/core/store/open-store.js'
import {validateProjectDetailed} from '../../../src/core/validate.js'
import {tempProject} from '../../helpers/temp-project.js'

const JOURNEY = 'version: 1\nid: ok\nname: Ok\nentry: { event: a }\nsteps:\n  - { id: w, wait: 1h }\n'
const SECRET = 'AWS_SECRET_ACCESS_KEY=do-not-print-me'
const mkfifo = (file: string) => execFileSync('mkfifo', [file])

/** A project in `<tmp>/project` with a secret beside it in `<tmp>/secrets.env`. */
async function project(files: Record<string, string> = {}): Promise<{cwd: string; outside: string}> {
  const top = await tempProject({'secrets.env': `${SECRET}\n`, 'project/journeys/ok.journey.yaml': JOURNEY})
  const cwd = path.join(top, 'project')
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(cwd, name)), {recursive: true})
    await writeFile(path.join(cwd, name), text)
  }
  return {cwd, outside: top}
}

const summary = (result: Awaited<ReturnType<typeof validateProjectDetailed>>['result']) =>
  result.diagnostics.map((d) => `${d.code} ${d.severity} ${d.location.file}`)

describe.skipIf(process.platform === 'win32')('joe reads regular files inside the project, bounded', () => {
  it('a FIFO named explicitly is an error at once, not a hang', async () => {
    const {cwd} = await project()
    mkfifo(path.join(cwd, 'journeys/pipe.journey.yaml'))
    const result = (await validateProjectDetailed({paths: ['journeys/pipe.journey.yaml'], cwd})).result
    expect(summary(result)).toEqual(['JOE1006 error journeys/pipe.journey.yaml'])
    expect(result.diagnostics[0]?.message).toContain('FIFO')
  })

  it('a symlink to /dev/zero named explicitly is an error, not endless reading', async () => {
    const {cwd} = await project()
    await symlink('/dev/zero', path.join(cwd, 'zero.journey.yaml'))
    // Outside the project root the user may name anything, and it is still not read.
    const result = (await validateProjectDetailed({paths: ['/dev/zero'], cwd})).result
    expect(summary(result)).toEqual(['JOE1006 error /dev/zero'])
    expect(result.diagnostics[0]?.message).toContain('character device')
    const linked = (await validateProjectDetailed({paths: ['zero.journey.yaml'], cwd})).result
    expect(linked.diagnostics.map((d) => d.code)).toEqual(['JOE1006'])
  })

  it('FIFOs, devices and symlinks out of the project found in a folder are skipped with a warning', async () => {
    const {cwd, outside} = await project()
    mkfifo(path.join(cwd, 'journeys/pipe.journey.yaml'))
    await symlink('/dev/zero', path.join(cwd, 'journeys/zero.journey.yaml'))
    await symlink(path.join(outside, 'secrets.env'), path.join(cwd, 'journeys/evil.journey.yaml'))
    await symlink(outside, path.join(cwd, 'journeys/up'))
    await symlink('ok.journey.yaml', path.join(cwd, 'journeys/same.journey.yaml'))
    const result = (await validateProjectDetailed({paths: [], cwd})).result
    expect(summary(result).sort()).toEqual([
      'JOE1034 warning journeys/evil.journey.yaml',
      'JOE1034 warning journeys/pipe.journey.yaml',
      'JOE1034 warning journeys/up',
      'JOE1034 warning journeys/zero.journey.yaml',
    ])
    // The symlink inside the project is followed; the file it names is read once.
    expect(result.files.map((f) => f.file)).toEqual(['journeys/ok.journey.yaml'])
    expect(result.errorCount).toBe(0)
  })

  it('never prints a file that a symlink out of the project points at', async () => {
    const {cwd, outside} = await project()
    await symlink(path.join(outside, 'secrets.env'), path.join(cwd, 'journeys/evil.journey.yaml'))
    const named = (await validateProjectDetailed({paths: ['journeys/evil.journey.yaml'], cwd})).result
    expect(named.diagnostics.map((d) => d.code)).toEqual(['JOE1033'])
    expect(JSON.stringify(named)).not.toContain('do-not-print-me')
    // The config file itself, too.
    await symlink(path.join(outside, 'secrets.env'), path.join(cwd, 'joe.config.yaml'))
    const config = (await validateProjectDetailed({paths: [], cwd})).result
    expect(config.diagnostics.map((d) => `${d.code} ${d.location.file}`)).toContain('JOE1033 joe.config.yaml')
    expect(JSON.stringify(config)).not.toContain('do-not-print-me')
  })

  it('a FIFO as the config file is an error, not a hang', async () => {
    const {cwd} = await project()
    mkfifo(path.join(cwd, 'joe.config.yaml'))
    const result = (await validateProjectDetailed({paths: [], cwd})).result
    expect(result.diagnostics.map((d) => `${d.code} ${d.location.file}`)).toContain('JOE1006 joe.config.yaml')
  })

  it('refuses journeys entries outside the project root, located in the config', async () => {
    for (const journeys of ['/', '../..', '"../**/*.journey.yaml"']) {
      const {cwd} = await project({'joe.config.yaml': `journeys: ${journeys}\n`})
      const result = (await validateProjectDetailed({paths: [], cwd})).result
      expect(
        result.diagnostics.map((d) => `${d.code} ${d.location.file}:${d.location.line}`),
        journeys,
      ).toContain('JOE1033 joe.config.yaml:1')
    }
    const {cwd} = await project({'joe.config.yaml': 'journeys: [journeys, "journeys/**/*.test.yaml", /etc]\n'})
    const result = (await validateProjectDetailed({paths: [], cwd})).result
    expect(result.diagnostics.filter((d) => d.code === 'JOE1033').map((d) => d.message)).toEqual([expect.stringContaining('"/etc"')])
  })

  it('stops a walk after a bounded number of folders or files, with an error', async () => {
    const {cwd} = await project()
    for (let i = 0; i < 12; i++) await mkdir(path.join(cwd, `journeys/d${i}/e`), {recursive: true})
    const folders = await discoverFiles(['journeys'], {cwd, root: cwd, limits: {folders: 10, files: 100}})
    expect(folders.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'JOE1035 stopped looking for journeys in "journeys" after visiting 10 folders',
    ])
    for (let i = 0; i < 5; i++) await writeFile(path.join(cwd, `journeys/d${i}/j${i}.journey.yaml`), JOURNEY)
    const files = await discoverFiles(['journeys'], {cwd, root: cwd, limits: {folders: 100, files: 3}})
    expect(files.diagnostics.map((d) => d.code)).toEqual(['JOE1035'])
    expect((await discoverFiles(['journeys'], {cwd, root: cwd})).diagnostics).toEqual([])
  })

  it('readBounded stops at the limit, whatever the file claims its size is', async () => {
    const {cwd} = await project()
    const sparse = path.join(cwd, 'huge.yaml')
    await writeFile(sparse, '')
    await truncate(sparse, 8 * 1024 * 1024 * 1024)
    expect(await readBounded(sparse, 1024)).toEqual({tooLarge: true, size: 8 * 1024 * 1024 * 1024})
    // /proc files report size 0 and still have content.
    if (existsSync('/proc/self/maps')) expect(await readBounded('/proc/self/maps', 16)).toMatchObject({tooLarge: true})
    const read = await readBounded(path.join(cwd, 'journeys/ok.journey.yaml'), 1024)
    expect('bytes' in read && read.bytes.toString()).toBe(JOURNEY)
  })

  it('events import and saved plans: a FIFO or /dev/zero is refused at once', async () => {
    const {cwd} = await project()
    const fifo = path.join(cwd, 'events.ndjson')
    mkfifo(fifo)
    const store = openEventStore(':memory:')
    await expect(importEvents(store, fifo, {now: 0})).rejects.toMatchObject({code: 'JOE3004', message: expect.stringContaining('FIFO')})
    await expect(importEvents(store, '/dev/zero', {now: 0})).rejects.toMatchObject({code: 'JOE3004'})
    store.close()
    await expect(readPlanFile('/dev/zero')).rejects.toMatchObject({code: 'JOE6007'})
    await expect(readPlanFile(fifo)).rejects.toMatchObject({code: 'JOE6007'})
  })

  it('a journey version read from git is held to the same 1 MiB limit', () => {
    const big = `${JOURNEY}# ${'x'.repeat(1024 * 1024)}\n`
    expect(loadJourneyText('j.journey.yaml', big, defaultConfig('/'))).toMatchObject({diagnostic: {code: 'JOE1007'}})
    expect(loadJourneyText('j.journey.yaml', JOURNEY, defaultConfig('/'))).toMatchObject({journey: {id: 'ok'}})
  })
})

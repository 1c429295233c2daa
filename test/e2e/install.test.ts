// The README's install path, end to end and offline: `npm pack` in the clone, the tarball
// installed into a project as a dev dependency, `npx joe` running that joe, and the `$schema`
// modeline of the journeys `joe init` and `joe new journey` write pointing at a schema that exists.
//
// npm cannot install the tarball's dependencies offline (its cache holds no registry metadata for
// them), so the test installs the tarball as npm lays it out: the package extracted into
// node_modules/joe-cli, its `joe` bin linked into node_modules/.bin, and its dependencies taken from
// this clone's node_modules. What is tested is what the tarball holds and how the installed joe
// behaves, not npm's dependency resolution.
import {existsSync, readFileSync} from 'node:fs'
import {mkdir, readdir, symlink} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {beforeAll, describe, expect, it} from 'vitest'
import {tempProject} from '../helpers/temp-project.js'
import {HEAVY_TEST_TIMEOUT} from '../helpers/timeouts.js'

const root = path.resolve(import.meta.dirname, '../..')
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string
  version: string
  dependencies: Record<string, string>
}
const MODELINE = /^# yaml-language-server: \$schema=(.+)$/m

describe('installing joe from a tarball of the clone (README)', {timeout: HEAVY_TEST_TIMEOUT}, () => {
  let project: string
  const npx = (...args: string[]) => execa('npx', ['--offline', ...args], {cwd: project, reject: false, env: {NO_COLOR: '1'}})

  beforeAll(async () => {
    const work = await tempProject({})
    // npm test has built dist/ already: pack it as is (prepack would rebuild it under running tests).
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {cwd: root})
    const [info] = JSON.parse(packed.stdout) as [{filename: string}]
    project = path.join(work, 'my-journeys')
    const installed = path.join(project, 'node_modules', pkg.name)
    await mkdir(installed, {recursive: true})
    await execa('tar', ['-xzf', path.join(work, info.filename), '-C', installed, '--strip-components=1'])
    await mkdir(path.join(project, 'node_modules', '.bin'), {recursive: true})
    await symlink(path.join('..', pkg.name, 'bin', 'run.js'), path.join(project, 'node_modules', '.bin', 'joe'))
    // Every package of the clone's node_modules stands in for what npm would install.
    for (const entry of await readdir(path.join(root, 'node_modules'))) {
      if (entry.startsWith('.') || entry === pkg.name) continue
      await symlink(path.join(root, 'node_modules', entry), path.join(project, 'node_modules', entry))
    }
  })

  it('holds what joe needs to run, and nothing of the clone’s sources or tests', async () => {
    const installed = path.join(project, 'node_modules', pkg.name)
    for (const file of ['bin/run.js', 'oclif.manifest.json', 'dist/commands/validate.js', 'schemas/journey.schema.json', 'templates']) {
      expect(existsSync(path.join(installed, file)), file).toBe(true)
    }
    expect(existsSync(path.join(installed, 'src'))).toBe(false)
    expect(existsSync(path.join(installed, 'test'))).toBe(false)
  })

  it('npx joe runs the installed joe; init and new journey write modelines that resolve', async () => {
    const version = await npx('joe', '--version')
    expect(version.exitCode, version.stderr).toBe(0)
    expect(version.stdout).toContain(`${pkg.name}/${pkg.version}`)

    const init = await npx('joe', 'init')
    expect(init.exitCode, init.stderr).toBe(0)
    // The note for a joe installed elsewhere is not needed here.
    expect(init.stdout).not.toContain('Editor completion')
    const added = await npx('joe', 'new', 'journey', 'spring-sale', '--template', 'win-back')
    expect(added.exitCode, added.stderr).toBe(0)
    for (const file of ['journeys/cart-abandonment.journey.yaml', 'journeys/spring-sale.journey.yaml']) {
      const ref = MODELINE.exec(readFileSync(path.join(project, file), 'utf8'))?.[1]
      expect(ref, file).toBe(`../node_modules/${pkg.name}/schemas/journey.schema.json`)
      expect(existsSync(path.resolve(project, path.dirname(file), ref as string)), file).toBe(true)
    }
    const validate = await npx('joe', 'validate')
    expect(validate.exitCode, validate.stdout).toBe(0)
  })

  it('says so when the modeline cannot resolve yet (joe installed outside the project)', async () => {
    const elsewhere = await tempProject({})
    const init = await execa('node', [path.join(root, 'bin/run.js'), 'init'], {cwd: elsewhere, reject: false})
    expect(init.exitCode, init.stderr).toBe(0)
    expect(init.stdout).toContain('Editor completion')
  })

  it('the README documents exactly this install, and not the unpublished package', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
    expect(readme).toContain('npm install && npm pack')
    expect(readme).toMatch(/npm install --save-dev \.\/tools\/joe-cli-\d+\.\d+\.\d+\.tgz/)
    expect(readme).not.toMatch(/npm install (--save-dev|-D) joe-cli(\s|$)/m)
  })
})

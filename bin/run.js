#!/usr/bin/env node
// The `joe` executable. `joe --version` (also `-v` and `version`) is answered
// here, printing exactly what oclif prints, without loading oclif (which would
// be most of such a run). Everything else goes to oclif, which reads the command
// list from oclif.manifest.json and loads only the command being run.
import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {arch, platform, release} from 'node:os'

const VERSION_ARGS = ['--version', '-v', 'version']

/**
 * oclif's `config.userAgent`: `joe-cli/0.1.0 linux-x64 node-v20.20.2`. Undefined
 * where oclif might say something else (it reports WSL as `wsl`), so oclif answers.
 */
function userAgent(pkg) {
  const os = platform()
  if (os === 'linux' && mightBeWsl()) return undefined
  const cpu = arch() === 'ia32' ? 'x86' : arch()
  return `${pkg.name}/${pkg.version} ${os}-${cpu} node-${process.version}`
}

function mightBeWsl() {
  if (release().toLowerCase().includes('microsoft')) return true
  try {
    if (readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')) return true
  } catch {}
  return existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL')
}

/**
 * When imported, @oclif/core warns if this Node does not satisfy oclif's
 * `engines.node`, loading semver for it (~20 ms). Its range is a plain `>=x.y.z`,
 * so make the same check and emit the same warning here, and return true so
 * oclif's is skipped. Any other range, or the user's own
 * OCLIF_DISABLE_ENGINE_WARNING, leaves oclif to it (false).
 */
function checkOclifEngine() {
  if (process.env.OCLIF_DISABLE_ENGINE_WARNING !== undefined) return false
  let range
  try {
    const file = createRequire(import.meta.url).resolve('@oclif/core/package.json')
    range = JSON.parse(readFileSync(file, 'utf8')).engines?.node
  } catch {
    return false
  }
  const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(typeof range === 'string' ? range.trim() : '')
  if (!min) return false
  const have = process.versions.node.split('.').map(Number)
  const want = min.slice(1).map(Number)
  const older = have[0] - want[0] || have[1] - want[1] || have[2] - want[2]
  if (older < 0) process.emitWarning(`Node version must be ${range} to use this CLI. Current node version: ${process.versions.node}`)
  return true
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
// Like oclif, only the first argument counts (`joe --version --json` prints the version too).
const first = process.argv[2]
const versionRequested = first !== undefined && [...VERSION_ARGS, ...(pkg.oclif?.additionalVersionFlags ?? [])].includes(first)
const agent = versionRequested ? userAgent(pkg) : undefined

if (agent !== undefined) {
  process.stdout.write(`${agent}\n`)
} else {
  const engineChecked = checkOclifEngine()
  if (engineChecked) process.env.OCLIF_DISABLE_ENGINE_WARNING = 'true'
  const {execute} = await import('@oclif/core')
  // Set only for oclif's import-time check; commands and their child processes do not see it.
  if (engineChecked) delete process.env.OCLIF_DISABLE_ENGINE_WARNING
  // oclif itself knows only --version; -v and version mean the same here.
  await execute({dir: import.meta.url, ...(versionRequested ? {args: ['--version']} : {})})
}

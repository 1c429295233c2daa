import path from 'node:path'
import {JoeError} from '../core/errors.js'
import {type JoeConfig, loadConfig} from '../core/project/config.js'

/** The project config for commands that need it; a broken config is a clear error, not defaults. */
export async function requireConfig(cwd: string, configPath?: string): Promise<JoeConfig> {
  const loaded = await loadConfig(cwd, configPath)
  const error = loaded.diagnostics.find((d) => d.severity === 'error')
  if (error) {
    throw new JoeError(error.code, `${loaded.display ?? 'joe.config.yaml'}: ${error.message}`, {
      hint: error.hint ?? 'run `joe validate` to see every problem in the config',
      where: error.location,
    })
  }
  return loaded.config
}

/** The event store path: --store, else `store` from joe.config.yaml (relative to the config). */
export function storePath(config: JoeConfig, flag: string | undefined): string {
  return flag ? path.resolve(flag) : path.resolve(config.root, config.store)
}

/** Parses --from/--until style flags: an ISO 8601 time, or a date (midnight UTC). */
export function parseInstantFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new JoeError('JOE4005', `--${name} "${value}" is not a date or an ISO 8601 time`, {
      hint: 'e.g. 2026-03-01 or 2026-03-01T09:00:00Z',
      exitCode: 2,
    })
  }
  return ms
}

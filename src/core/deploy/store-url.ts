import path from 'node:path'
import {JoeError} from '../errors.js'
import {maskUrl} from '../secrets.js'

/** Where an environment's deploy store lives, resolved from its `store` URL. */
export type StoreTarget =
  /** `sqlite:PATH`; `path` is absolute (relative paths are relative to the project root). `display` as written, masked. */
  | {kind: 'sqlite'; path: string; display: string}
  /** `postgres://…` or `postgresql://…`; `display` has every credential masked ({@link maskUrl}). */
  | {kind: 'postgres'; url: string; display: string}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Replaces every `${NAME}` with the environment variable's value (spec section 1).
 * A variable that is not set (or empty) is an error naming it, never an empty string.
 */
export function expandVariables(text: string, vars: Readonly<Record<string, string | undefined>>, what: string): string {
  const missing: string[] = []
  const expanded = text.replace(VARIABLE, (_, name: string) => {
    const value = vars[name]
    if (value === undefined || value === '') {
      missing.push(name)
      return ''
    }
    return value
  })
  if (missing.length > 0) {
    throw new JoeError('JOE1021', `${what} uses \${${missing[0]}}, but the environment variable ${missing[0]} is not set`, {
      hint: `export ${missing[0]}=… before running joe (it is read from the environment so that secrets stay out of joe.config.yaml)`,
    })
  }
  return expanded
}

/** Resolves an environment's `store` setting: variables expanded, kind detected, credentials masked for display. */
export function resolveStoreUrl(
  raw: string,
  options: {env: string; root: string; vars: Readonly<Record<string, string | undefined>>},
): StoreTarget {
  const url = expandVariables(raw, options.vars, `the store of environment "${options.env}"`)
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
    if (file === '') throw invalidUrl(options.env, raw)
    const absolute = path.resolve(options.root, file)
    return {kind: 'sqlite', path: absolute, display: maskUrl(`sqlite:${file}`)}
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url)
    } catch {
      throw invalidUrl(options.env, raw)
    }
    return {kind: 'postgres', url, display: maskUrl(url)}
  }
  throw invalidUrl(options.env, raw)
}

function invalidUrl(env: string, raw: string): JoeError {
  return new JoeError('JOE6002', `the store of environment "${env}" is not a store URL: "${maskUrl(raw)}"`, {
    hint: 'use `sqlite:PATH` (e.g. sqlite:.joe/dev.db) or `postgres://USER@HOST:PORT/DB`; secrets go in ${VARIABLES}',
  })
}

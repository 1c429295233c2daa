import {parse} from 'yaml'
import type {Actor} from '../../../src/core/deploy/deploy-types.js'
import {buildJourney} from '../../../src/core/journey/build-model.js'
import type {Journey} from '../../../src/core/journey/model.js'
import {defaultConfig, type EnvironmentConfig, type JoeConfig} from '../../../src/core/project/config.js'
import type {TestStore} from '../../helpers/postgres.js'

export const NOW = Date.UTC(2026, 2, 10, 9)
export const ALICE: Actor = {name: 'Alice', email: 'alice@example.com', commit: 'a'.repeat(40)}

/** A journey model from YAML (must be valid). */
export function journey(yaml: string): Journey {
  return buildJourney(parse(yaml) as Record<string, unknown>)
}

/** A small journey; `variant` changes its content, `steps` replaces its steps. */
export function cart(options: {id?: string; template?: string; steps?: string; moved?: string} = {}): Journey {
  return journey(`
version: 1
id: ${options.id ?? 'cart'}
name: Cart
entry: {event: cart_updated}
steps:
${
  options.steps ??
  `  - {id: wait-1h, wait: 1h}
  - {id: email-1, send: {channel: email, template: ${options.template ?? 'cart-1'}}}`
}
${options.moved ? `moved: ${options.moved}` : ''}
`)
}

/** A config with environments dev, staging and prod (protected, from staging) in one test store. */
export function configFor(
  store: TestStore,
  root = '/nonexistent',
  extra: Record<string, EnvironmentConfig> = {},
  policies: JoeConfig['policies'] = {},
): JoeConfig {
  return {
    ...defaultConfig(root),
    policies,
    environments: {
      dev: {store: store.url('dev'), protected: false},
      staging: {store: store.url('staging'), protected: false},
      prod: {store: store.url('prod'), protected: true, promoteFrom: 'staging'},
      ...extra,
    },
  }
}

/** EnvOptions for the core functions. */
export function envOptions(store: TestStore, env: string, config: JoeConfig, now = NOW) {
  return {config, env, vars: {}, now, ...(store.open ? {open: store.open} : {})}
}

/** ApplyOptions for the core functions: Alice deploys, waiting at most 5 s for the lock. */
export function applyOptions(store: TestStore, env: string, config: JoeConfig, now = NOW, message?: string) {
  return {...envOptions(store, env, config, now), actor: ALICE, lockTimeoutMs: 5000, ...(message ? {message} : {})}
}

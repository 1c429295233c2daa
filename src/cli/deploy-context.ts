// What the deploy commands read from the process, in one place: the working directory, the
// environment variables, the clock, git, and whether stdout is a terminal. Core deploy code gets
// them passed in.
import path from 'node:path'
import {currentActor} from '../core/deploy/actor.js'
import type {ApplyOptions} from '../core/deploy/apply.js'
import type {Actor} from '../core/deploy/deploy-types.js'
import type {EnvOptions} from '../core/deploy/env-store.js'
import {type JoeConfig, requireConfig} from '../core/project/config.js'

/** The project config and the EnvOptions of environment `env`, from the process. */
export async function envContext(env: string, configPath: string | undefined): Promise<EnvOptions> {
  const config = await requireConfig(process.cwd(), configPath)
  return {config, env, vars: process.env, now: Date.now()}
}

/** The deploying actor; the journeys folders and the config file decide whether the commit is dirty. */
export function actorOf(config: JoeConfig): Promise<Actor> {
  const sources = [...config.journeys, ...(config.file ? [path.relative(config.root, config.file)] : [])]
  return currentActor(config.root, sources)
}

/** ApplyOptions for writing to `context`'s environment: who, why, how long to wait for the lock. */
export async function applyContext(
  context: EnvOptions,
  flags: {message?: string | undefined; 'lock-timeout': number},
): Promise<ApplyOptions> {
  return {
    ...context,
    actor: await actorOf(context.config),
    lockTimeoutMs: flags['lock-timeout'],
    ...(flags.message ? {message: flags.message} : {}),
  }
}

/** --color / --no-color, else colour when stdout is a terminal and NO_COLOR is not set. */
export function colorEnabled(flag: boolean | undefined): boolean {
  return flag ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)
}

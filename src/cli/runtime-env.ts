import {requireConfig} from '../core/project/config.js'
import {type OpenRuntime, openRuntime} from '../core/runtime/open-runtime.js'

/**
 * Opens an environment's runtime store for a command, with the outside world the command layer
 * owns: the working directory, environment variables and the wall clock. Runs `fn`, then closes it.
 */
export async function withRuntime<T>(env: string, configPath: string | undefined, fn: (runtime: OpenRuntime) => Promise<T>): Promise<T> {
  const config = await requireConfig(process.cwd(), configPath)
  const runtime = await openRuntime({config, env, vars: process.env, wall: () => Date.now()})
  try {
    return await fn(runtime)
  } finally {
    await runtime.close()
  }
}

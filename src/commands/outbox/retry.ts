import {Args, Flags} from '@oclif/core'
import {configFlag, envFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {withRuntime} from '../../cli/runtime-env.js'
import {JoeError} from '../../core/errors.js'
import {retryDead} from '../../core/runtime/outbox.js'

export interface RetryResult {
  format_version: 1
  env: string
  /** Outbox ids sent back to pending. */
  retried: number[]
}

export default class OutboxRetry extends JoeCommand<RetryResult> {
  static override summary = 'Send dead letters again'

  static override description =
    'Moves dead letters back to pending with a fresh set of attempts; `joe serve` delivers them with their original idempotency keys, so receivers that honour them still act once.'

  static override examples = [
    {description: 'Every dead letter', command: '<%= config.bin %> <%= command.id %> --env prod --all'},
    {description: 'Two of them', command: '<%= config.bin %> <%= command.id %> --env prod 41 42'},
  ]

  static override strict = false

  static override args = {id: Args.string({description: 'Outbox ids (see `joe outbox --env NAME`).'})}

  static override flags = {env: envFlag, config: configFlag, all: Flags.boolean({description: 'Every dead letter of the environment.'})}

  async run(): Promise<RetryResult> {
    const {argv, flags} = await this.parse(OutboxRetry)
    const ids = (argv as string[]).map((text) => {
      if (!/^\d+$/.test(text))
        throw new JoeError('JOE7022', `"${text}" is not an outbox id`, {hint: 'ids are the numbers `joe outbox` lists', exitCode: 2})
      return Number(text)
    })
    if (ids.length === 0 && !flags.all) {
      throw new JoeError('JOE7022', 'name the dead letters to send again, or give --all', {
        hint: 'e.g. joe outbox retry --env prod 41 42',
        exitCode: 2,
      })
    }
    const retried = await withRuntime(flags.env, flags.config, (runtime) => retryDead(runtime.ctx, flags.all ? 'all' : ids))
    if (!this.jsonEnabled()) this.log(retried.length === 0 ? 'no dead letters to send again' : `sending again: ${retried.join(', ')}`)
    return {format_version: 1, env: flags.env, retried}
  }
}

import {Args, Flags} from '@oclif/core'
import {configFlag, envFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {withRuntime} from '../../cli/runtime-env.js'
import {type RetryResult, retryDeadLetters} from '../../core/runtime/outbox-admin.js'

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
    const target = {ids: argv as string[], all: flags.all}
    const result = await withRuntime(flags.env, flags.config, (runtime) => retryDeadLetters(runtime.ctx, target))
    if (!this.jsonEnabled()) {
      const {renderRetry} = await import('../../ui/runtime/runtime-text.js')
      this.log(renderRetry(result))
    }
    return result
  }
}

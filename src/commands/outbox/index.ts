import {Flags} from '@oclif/core'
import {colorEnabled} from '../../cli/deploy-context.js'
import {colorFlag, configFlag, envFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {withRuntime} from '../../cli/runtime-env.js'
import {type OutboxResult, outboxReport, parseOutboxStatuses} from '../../core/runtime/outbox-admin.js'

export default class Outbox extends JoeCommand<OutboxResult> {
  static override summary = "List an environment's messages waiting to go out, and dead letters"

  static override description =
    `Every message a journey decides is written to the environment's outbox in the same transaction as the step that sent it, then delivered through the channel's connector (at least once, with its idempotency key). Pending messages wait for their next attempt; dead letters failed for good (a permanent error, or every attempt used) and stay until \`joe outbox retry\` sends them again.`

  static override examples = [
    {description: 'Pending messages and dead letters', command: '<%= config.bin %> <%= command.id %> --env prod'},
    {
      description: "One customer's messages, sent ones included",
      command: '<%= config.bin %> <%= command.id %> --env prod --customer c1 --status pending,sent,dead',
    },
  ]

  static override flags = {
    env: envFlag,
    config: configFlag,
    color: colorFlag,
    status: Flags.string({
      description: 'Statuses to list, comma-separated: pending, sent, dead.',
      default: 'pending,dead',
      helpValue: 'LIST',
    }),
    customer: Flags.string({description: 'Only this customer.', helpValue: 'ID'}),
    limit: Flags.integer({description: 'At most this many messages (the newest).', default: 100, min: 1}),
  }

  async run(): Promise<OutboxResult> {
    const {flags} = await this.parse(Outbox)
    const statuses = parseOutboxStatuses(flags.status)
    const options = {statuses, limit: flags.limit, ...(flags.customer === undefined ? {} : {customer: flags.customer})}
    const result = await withRuntime(flags.env, flags.config, (runtime) => outboxReport(runtime.ctx, options))
    if (!this.jsonEnabled()) {
      const {renderOutbox} = await import('../../ui/runtime/runtime-text.js')
      this.log(renderOutbox(result, {color: colorEnabled(flags.color)}))
    }
    return result
  }
}

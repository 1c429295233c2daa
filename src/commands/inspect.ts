import {Args, Flags} from '@oclif/core'
import {colorEnabled} from '../cli/deploy-context.js'
import {colorFlag, configFlag, envFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {withRuntime} from '../cli/runtime-env.js'
import {type InspectResult, inspectCustomer} from '../core/runtime/inspect.js'

export default class Inspect extends JoeCommand<InspectResult> {
  static override summary = 'Show where a customer is in every live journey, what comes next, and why'

  static override description =
    `For every journey of the environment: whether the customer is in it, at which step and since when, what happens next and when; then the messages decided for them with their delivery status, and the trace of what happened and why (which entry condition, branch case, exit criterion or suppression), from the environment's journal.`

  static override examples = [
    {description: 'Why did c1 get that email?', command: '<%= config.bin %> <%= command.id %> --env dev c1'},
    {description: 'As JSON', command: '<%= config.bin %> <%= command.id %> --env prod c000042 --json'},
  ]

  static override args = {customer: Args.string({description: 'The customer id (userId, else anonymousId).', required: true})}

  static override flags = {
    env: envFlag,
    config: configFlag,
    color: colorFlag,
    trace: Flags.boolean({description: 'Show the trace (default).', allowNo: true, default: true}),
  }

  async run(): Promise<InspectResult> {
    const {args, flags} = await this.parse(Inspect)
    const result = await withRuntime(flags.env, flags.config, (runtime) => inspectCustomer(runtime.ctx, args.customer))
    if (!this.jsonEnabled()) {
      const {renderInspect} = await import('../ui/runtime/runtime-text.js')
      this.log(renderInspect(result, {color: colorEnabled(flags.color), trace: flags.trace}))
    }
    return result
  }
}

import {Args} from '@oclif/core'
import {applyContext, envContext} from '../cli/deploy-context.js'
import {configFlag, envFlag, lockTimeoutFlag, messageFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {type PauseResult, setPaused} from '../core/deploy/operations.js'

export default class Pause extends JoeCommand<PauseResult> {
  static override summary = 'Pause a journey in an environment'

  static override description =
    'Marks the journey paused in the environment, as a ledger entry. Its revision stays active (a new deploy keeps it paused) until `joe resume`; runners read the pause state from the store. Pausing a paused journey changes nothing. Nothing is written to a store that fails `joe verify`.'

  static override examples = ['<%= config.bin %> <%= command.id %> --env prod cart-abandonment -m "coupon service down"']

  static override args = {journey: Args.string({description: 'The journey id.', required: true})}

  static override flags = {env: envFlag, message: messageFlag, 'lock-timeout': lockTimeoutFlag, config: configFlag}

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Pause)
    const context = await envContext(flags.env, flags.config)
    const result = await setPaused({...(await applyContext(context, flags)), journey: args.journey, paused: true})
    if (!this.jsonEnabled()) {
      const {renderPause} = await import('../ui/deploy/deploy-text.js')
      this.log(renderPause(result))
    }
    return result
  }
}

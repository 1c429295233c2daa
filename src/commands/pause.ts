import {Args} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import {type PauseResult, setPaused} from '../core/deploy/operations.js'
import {actor, configFlag, envContext, envFlag, lockTimeoutFlag, lockTimeoutMs, messageFlag} from '../ui/deploy/deploy-cli.js'

export default class Pause extends JoeCommand<PauseResult> {
  static override summary = 'Pause a journey in an environment'

  static override description =
    'Marks the journey paused in the environment, as a ledger entry. Its revision stays active (a new deploy keeps it paused) until `joe resume`; runners read the pause state from the store. Pausing a paused journey changes nothing.'

  static override examples = ['<%= config.bin %> <%= command.id %> --env prod cart-abandonment -m "coupon service down"']

  static override args = {journey: Args.string({description: 'The journey id.', required: true})}

  static override flags = {env: envFlag, message: messageFlag, 'lock-timeout': lockTimeoutFlag, config: configFlag}

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Pause)
    const context = await envContext(flags.env, flags.config)
    const result = await setPaused({
      ...context,
      journey: args.journey,
      paused: true,
      actor: await actor(context.config),
      lockTimeoutMs: lockTimeoutMs(flags['lock-timeout']),
      ...(flags.message ? {message: flags.message} : {}),
    })
    if (!this.jsonEnabled()) {
      const {renderPause} = await import('../ui/deploy/deploy-text.js')
      this.log(renderPause(result))
    }
    return result
  }
}

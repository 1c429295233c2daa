import {Args} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import {type PauseResult, setPaused} from '../core/deploy/operations.js'
import {actor, configFlag, envContext, envFlag, lockTimeoutFlag, lockTimeoutMs, messageFlag} from '../ui/deploy/deploy-cli.js'

export default class Resume extends JoeCommand<PauseResult> {
  static override summary = 'Resume a paused journey in an environment'

  static override description =
    'Clears the pause of a journey in the environment, as a ledger entry. Resuming a running journey changes nothing.'

  static override examples = ['<%= config.bin %> <%= command.id %> --env prod cart-abandonment -m "coupon service down"']

  static override args = {journey: Args.string({description: 'The journey id.', required: true})}

  static override flags = {env: envFlag, message: messageFlag, 'lock-timeout': lockTimeoutFlag, config: configFlag}

  async run(): Promise<PauseResult> {
    const {args, flags} = await this.parse(Resume)
    const context = await envContext(flags.env, flags.config)
    const result = await setPaused({
      ...context,
      journey: args.journey,
      paused: false,
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

import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import type {DeployResult} from '../core/deploy/deploy.js'
import {rollbackJourney} from '../core/deploy/operations.js'
import {
  actor,
  allowDropFlag,
  colorEnabled,
  colorFlag,
  configFlag,
  envContext,
  envFlag,
  lockTimeoutFlag,
  lockTimeoutMs,
  messageFlag,
} from '../ui/deploy/deploy-cli.js'

export default class Rollback extends JoeCommand<DeployResult> {
  static override summary = 'Re-activate an earlier revision of a journey'

  static override description =
    `Makes an earlier revision of the journey active again, as a new ledger entry (the ledger is never rewritten). Without --to, the revision that was active before the current one. Only revisions that were active in this environment before are accepted, so the protected and policy gates are not run again; the in-flight rule is (--allow-drop).`

  static override examples = [
    {
      description: 'Undo the last deploy of a journey',
      command: '<%= config.bin %> <%= command.id %> --env prod cart-abandonment -m "wrong coupon"',
    },
    {
      description: 'Go back to a named revision',
      command: '<%= config.bin %> <%= command.id %> --env prod cart-abandonment --to 3f2a9c1b7d2e',
    },
  ]

  static override args = {journey: Args.string({description: 'The journey id.', required: true})}

  static override flags = {
    env: envFlag,
    to: Flags.string({description: 'The revision to re-activate (a hash prefix, as `joe history` shows it).', helpValue: 'REVISION'}),
    message: messageFlag,
    'allow-drop': allowDropFlag,
    'lock-timeout': lockTimeoutFlag,
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<DeployResult> {
    const {args, flags} = await this.parse(Rollback)
    const context = await envContext(flags.env, flags.config)
    const result = await rollbackJourney({
      ...context,
      journey: args.journey,
      actor: await actor(context.config),
      lockTimeoutMs: lockTimeoutMs(flags['lock-timeout']),
      allowDrop: flags['allow-drop'],
      ...(flags.to ? {to: flags.to} : {}),
      ...(flags.message ? {message: flags.message} : {}),
    })
    if (!this.jsonEnabled()) {
      const {renderDeployResult} = await import('../ui/deploy/deploy-text.js')
      this.log(renderDeployResult(result, {color: colorEnabled(flags.color)}))
    }
    return result
  }
}

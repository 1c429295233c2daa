import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import {applyPlan, type DeployResult} from '../core/deploy/deploy.js'
import {enforceDrops, enforceProtected, inFlightDrops, protectedGate} from '../core/deploy/gates.js'
import {planPromote} from '../core/deploy/operations.js'
import {
  actor,
  allowDropFlag,
  colorEnabled,
  colorFlag,
  configFlag,
  confirm,
  envContext,
  lockTimeoutFlag,
  lockTimeoutMs,
  messageFlag,
} from '../ui/deploy/deploy-cli.js'

export default class Promote extends JoeCommand<DeployResult> {
  static override summary = 'Deploy to one environment exactly the revisions active in another'

  static override description =
    `Copies the revisions active in --from (every journey, or the named ones) to --to: not the files in your working tree, but the exact revisions that ran there. This is how revisions reach a protected environment whose promote_from is --from. The plan is shown and confirmed like a deploy, all deploy gates apply, and the ledger of --to records where each revision came from. Promotion never removes journeys.`

  static override examples = [
    {description: 'Promote everything from staging to prod', command: '<%= config.bin %> <%= command.id %> --from staging --to prod'},
    {
      description: 'One journey, from CI',
      command: '<%= config.bin %> <%= command.id %> --from staging --to prod cart-abandonment --yes -m "release 12"',
    },
  ]

  static override strict = false

  static override args = {journeys: Args.string({description: 'Journey ids (default: every journey active in --from).'})}

  static override flags = {
    from: Flags.string({description: 'The environment to copy revisions from.', helpValue: 'ENV', required: true}),
    to: Flags.string({description: 'The environment to deploy them to.', helpValue: 'ENV', required: true}),
    'dry-run': Flags.boolean({description: 'Show the plan and stop.'}),
    yes: Flags.boolean({char: 'y', description: 'Apply without asking (required when not on a terminal).'}),
    message: messageFlag,
    force: Flags.boolean({description: 'Bypass the protected-environment gate of --to (needs -m; recorded).'}),
    'allow-drop': allowDropFlag,
    'skip-policies': Flags.boolean({description: 'Do not simulate the config policies first (recorded in the ledger).'}),
    'lock-timeout': lockTimeoutFlag,
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<DeployResult> {
    const {argv, flags} = await this.parse(Promote)
    const context = await envContext(flags.to, flags.config)
    const plan = await planPromote({...context, from: flags.from, journeys: argv as string[]})
    const gates = {protected: await protectedGate(plan, context), drops: inFlightDrops(plan)}
    const color = colorEnabled(flags.color)
    const {renderDeployResult, renderPlan} = await import('../ui/deploy/deploy-text.js')
    if (!this.jsonEnabled()) this.log(renderPlan(plan, gates, {color}))
    if (flags['dry-run'] || plan.changes.length === 0) {
      const reason = flags['dry-run'] && plan.changes.length > 0 ? 'dry-run' : 'up-to-date'
      const noop: DeployResult = {
        env: plan.env,
        store: plan.store,
        kind: 'promote',
        applied: false,
        reason,
        changes: plan.changes,
        unchanged: plan.unchanged,
        kept: plan.kept,
        ledger: [],
        gates: {forced: false, skipped_policies: false, allowed_drops: []},
      }
      if (!this.jsonEnabled() && reason === 'dry-run') this.log(renderDeployResult(noop, {color}))
      return noop
    }
    enforceDrops(gates.drops, flags['allow-drop'])
    enforceProtected(gates.protected, plan.env, flags.force, flags.message)
    await confirm(`Promote ${plan.changes.length} revision${plan.changes.length === 1 ? '' : 's'} from ${flags.from} to ${plan.env}?`, {
      yes: flags.yes,
      json: this.jsonEnabled(),
    })
    const result = await applyPlan({
      ...context,
      plan,
      actor: await actor(context.config),
      kind: 'promote',
      lockTimeoutMs: lockTimeoutMs(flags['lock-timeout']),
      force: flags.force,
      allowDrop: flags['allow-drop'],
      skipPolicies: flags['skip-policies'],
      details: {promoted_from: flags.from},
      ...(flags.message ? {message: flags.message} : {}),
    })
    if (!this.jsonEnabled()) this.log(renderDeployResult(result, {color}))
    return result
  }
}

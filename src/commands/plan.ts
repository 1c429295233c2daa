import {Args, Flags} from '@oclif/core'
import {colorEnabled, envContext} from '../cli/deploy-context.js'
import {bypassOf, colorFlag, configFlag, envFlag, gateFlags} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {prepareDeploy, selectDeployable} from '../core/deploy/deploy.js'
import {assertPlanPath} from '../core/deploy/plan-file.js'
import {type PlanResult, planResult, savePlan} from '../core/deploy/prepare.js'
import {JoeError} from '../core/errors.js'

export default class Plan extends JoeCommand<PlanResult> {
  static override summary = 'Show what a deploy would change and what every gate says, and save it for `joe deploy PLAN`'

  static override description =
    `Validates the project and compares it with what is active in the environment, like \`joe deploy --dry-run\`, and runs every gate the deploy would (protected environment, customers in flight, policies), so the plan shows everything that would make the deploy fail; the gate flags (--force, --allow-drop, --skip-policies) say which bypasses you intend. Exit 1 when a gate would refuse. With --detailed-exitcode, as Terraform's: 0 no changes, 1 error or refused, 2 changes.

With --out the plan is saved as JSON — the environment's ledger head, every change and every revision's canonical document — signed with the environment's plan key (kept in its store, or JOE_PLAN_KEY), so that \`joe deploy plan.json\` applies exactly it, and refuses it when it was edited or the environment changed since.`

  static override examples = [
    {description: 'Show the plan for staging', command: '<%= config.bin %> <%= command.id %> --env staging'},
    {
      description: 'Save it for review, then apply it',
      command: '<%= config.bin %> <%= command.id %> --env prod --out plan.json && joe deploy plan.json --yes',
    },
    {description: 'In CI: did anything change?', command: '<%= config.bin %> <%= command.id %> --env prod --detailed-exitcode'},
  ]

  static override strict = false

  static override args = {journeys: Args.string({description: 'Journey ids, files, folders or globs (default: every journey).'})}

  static override flags = {
    env: envFlag,
    out: Flags.string({char: 'o', description: 'Save the signed plan to this file (JSON).', helpValue: 'FILE'}),
    prune: Flags.boolean({description: 'Plan the removal of journeys the project no longer has.'}),
    'detailed-exitcode': Flags.boolean({
      description: 'Exit 0 when nothing changes, 2 when something does, 1 on an error or a refusing gate.',
    }),
    ...gateFlags,
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<PlanResult> {
    const {argv, flags} = await this.parse(Plan)
    if (flags.prune && argv.length > 0) throw new JoeError('JOE6014', '--prune cannot be combined with named journeys', {exitCode: 2})
    if (flags.out) await assertPlanPath(flags.out)
    const context = await envContext(flags.env, flags.config)
    const journeys = await selectDeployable({
      cwd: process.cwd(),
      names: argv as string[],
      ...(flags.config ? {configPath: flags.config} : {}),
    })
    const prepared = await prepareDeploy({...context, journeys, prune: flags.prune === true, bypass: bypassOf(flags)})
    if (flags.out) await savePlan(context, prepared.plan, flags.out)
    const result = planResult(prepared, flags.out ?? null)
    if (!this.jsonEnabled()) {
      const {renderPlan} = await import('../ui/deploy/deploy-text.js')
      this.log(renderPlan(prepared.plan, prepared.gates, {color: colorEnabled(flags.color)}))
      if (flags.out) this.log(`Saved to ${flags.out}; apply it with \`joe deploy ${flags.out}\`.`)
    }
    if (result.refused) this.exitWith(1)
    else if (flags['detailed-exitcode'] && result.changes.length > 0) this.exitWith(2)
    return result
  }
}

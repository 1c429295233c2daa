import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import {type DeployResult, loadDeployableJourneys, planDeploy} from '../core/deploy/deploy.js'
import {type GateReport, inFlightDrops, protectedGate} from '../core/deploy/gates.js'
import type {DeployPlan} from '../core/deploy/plan.js'
import {looksLikePlanFile, readPlanFile} from '../core/deploy/plan-file.js'
import {JoeError} from '../core/errors.js'
import {
  allowDropFlag,
  colorFlag,
  configFlag,
  dryRunFlag,
  envContext,
  lockTimeoutFlag,
  messageFlag,
  showAndApplyPlan,
  skipPoliciesFlag,
  yesFlag,
} from '../ui/deploy/deploy-cli.js'

export type DeployCommandResult = Omit<DeployResult, 'changes'> & {changes: DeployPlan['changes']; plan_head: DeployPlan['head']}

export default class Deploy extends JoeCommand<DeployCommandResult> {
  static override summary = 'Deploy journeys to an environment as immutable revisions'

  static override description =
    `Validates the whole project (and refuses on any error), compares each journey's revision (a SHA-256 of its canonical model) with what is active in the environment, shows the plan — new journeys, new revisions with their \`joe diff\` summary, unchanged ones, and removals with --prune — asks for confirmation on a terminal (--yes otherwise), then applies the whole plan in one transaction and records it in the environment's ledger. Re-deploying the same content changes nothing and says so.

Gates: a protected environment accepts only revisions active in its promote_from environment (--force -m bypasses, recorded); config policies are simulated on the local event store first (--skip-policies bypasses, recorded); a revision that removes steps where customers may be waiting, without a \`moved\` entry, needs --allow-drop.

Deploys to one environment are serialised by a lock; a second one waits up to --lock-timeout. \`joe deploy plan.json\` applies exactly a plan saved by \`joe plan --out\`, and refuses it when the environment changed since.`

  static override examples = [
    {description: 'Plan and deploy every journey to dev', command: '<%= config.bin %> <%= command.id %> --env dev'},
    {description: 'Only show the plan', command: '<%= config.bin %> <%= command.id %> --env staging --dry-run'},
    {
      description: 'Deploy one journey from CI',
      command: '<%= config.bin %> <%= command.id %> --env staging cart-abandonment --yes -m "PR #42"',
    },
    {description: 'Apply a reviewed plan', command: '<%= config.bin %> <%= command.id %> plan.json --yes'},
  ]

  static override strict = false

  static override args = {
    journeys: Args.string({description: 'Journey ids, files or folders (default: every journey), or a saved plan file (*.json).'}),
  }

  static override flags = {
    env: Flags.string({char: 'e', description: 'Environment name from joe.config.yaml (a plan file names its own).', helpValue: 'NAME'}),
    'dry-run': dryRunFlag,
    yes: yesFlag,
    message: messageFlag,
    prune: Flags.boolean({description: 'Remove journeys active in the environment that the project no longer has.'}),
    force: Flags.boolean({description: 'Bypass the protected-environment gate (needs -m; recorded in the ledger).'}),
    'allow-drop': allowDropFlag,
    'skip-policies': skipPoliciesFlag,
    'lock-timeout': lockTimeoutFlag,
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<DeployCommandResult> {
    const {argv, flags} = await this.parse(Deploy)
    const args = argv as string[]
    const planFile = args.length === 1 && looksLikePlanFile(args[0] as string) ? (args[0] as string) : undefined
    let plan: DeployPlan
    let gates: GateReport
    const saved = planFile ? await readPlanFile(planFile) : undefined
    const envName = flags.env ?? saved?.env
    if (!envName)
      throw new JoeError('JOE6001', 'which environment? --env NAME is required', {hint: 'e.g. joe deploy --env dev', exitCode: 2})
    if (saved && flags.env && flags.env !== saved.env) {
      throw new JoeError('JOE6001', `the plan is for "${saved.env}", not "${flags.env}"`, {
        hint: "leave out --env to use the plan's",
        exitCode: 2,
      })
    }
    if (saved && flags.prune) throw new JoeError('JOE6014', '--prune cannot be combined with a plan file; the plan decides', {exitCode: 2})
    const context = await envContext(envName, flags.config)
    if (saved) {
      plan = saved
      gates = {protected: await protectedGate(plan, context), drops: inFlightDrops(plan)}
    } else {
      if (flags.prune && args.length > 0) {
        throw new JoeError('JOE6014', '--prune removes every journey not in the project, so it cannot be combined with named journeys', {
          exitCode: 2,
        })
      }
      const {journeys} = await loadDeployableJourneys(process.cwd(), args, flags.config)
      ;({plan, gates} = await planDeploy({...context, journeys, prune: flags.prune}))
    }
    const result = await showAndApplyPlan({
      plan,
      gates,
      context,
      kind: 'deploy',
      question: `Apply ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} to ${plan.env}?`,
      flags,
      strict: saved !== undefined,
      json: this.jsonEnabled(),
      log: (text) => this.log(text),
    })
    return {...result, plan_head: plan.head}
  }
}

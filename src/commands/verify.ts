import {colorEnabled, envContext} from '../cli/deploy-context.js'
import {colorFlag, configFlag, envFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {type VerifyResult, verifyEnv} from '../core/deploy/operations.js'

export default class Verify extends JoeCommand<VerifyResult> {
  static override summary = "Verify an environment's deploy store: the ledger's hash chain, the active revisions, the revision documents"

  static override description =
    "Checks that the ledger is numbered without gaps and that every entry hashes to its stored hash and names its predecessor's (the hash chain), that replaying the ledger gives exactly the active revisions, and that every revision document the ledger names hashes to its id. Exit 1 when anything fails, naming the entry. deploy, promote, rollback, pause and resume run the same check first and write nothing onto a store that fails it. A chain cannot show that its last entries were cut off: keep the head this prints (CI logs) and compare."

  static override examples = ['<%= config.bin %> <%= command.id %> --env prod', '<%= config.bin %> <%= command.id %> --env prod --json']

  static override flags = {env: envFlag, config: configFlag, color: colorFlag}

  async run(): Promise<VerifyResult> {
    const {flags} = await this.parse(Verify)
    const result = await verifyEnv(await envContext(flags.env, flags.config))
    if (!this.jsonEnabled()) {
      const {renderVerify} = await import('../ui/deploy/deploy-text.js')
      this.log(renderVerify(result, {color: colorEnabled(flags.color)}))
    }
    if (!result.ok) this.exitWith(1)
    return result
  }
}

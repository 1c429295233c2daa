import {format} from 'node:util'
import {Command, Flags, type Interfaces} from '@oclif/core'
import {isJoeError, type JoeError} from '../core/errors.js'
import {isStoreFileError, translateSqliteError} from '../core/store/sqlite-errors.js'
import {safeOutput, safeText} from '../ui/safe-text.js'

/** Version of the `--json` error envelope (schemas/output/error.schema.json, docs/cli-output.md). */
export const ERROR_FORMAT_VERSION = 1

type FormatFlag = {char?: string; options?: readonly string[]}

/** True when `argv` (before any `--`) gives `--format json` and the command's --format offers json. */
export function asksFormatJson(argv: readonly string[], format: FormatFlag | undefined): boolean {
  if (!format?.options?.includes('json')) return false
  const end = argv.indexOf('--')
  const args = end === -1 ? argv : argv.slice(0, end)
  const short = format.char ? `-${format.char}` : undefined
  return args.some((arg, i) => {
    const next = args[i + 1]
    if (arg === '--format' || (short && arg === short)) return next === 'json'
    return arg === '--format=json' || (short !== undefined && (arg === `${short}=json` || arg === `${short}json`))
  })
}

/** Exit codes, documented in the README: 0 clean, 1 problems found, 2 usage error, 3 internal error. */
export const EXIT = {ok: 0, problems: 1, usage: 2, internal: 3} as const

/**
 * Base for every joe command: `--json` for free (run() returns a typed result),
 * friendly JoeError messages, and exit code 3 with a pointer to --debug for bugs.
 */
export abstract class JoeCommand<T> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    debug: Flags.boolean({description: 'Show stack traces for internal errors.', helpGroup: 'GLOBAL'}),
  }

  /**
   * `--format json` is another spelling of `--json` on the commands whose --format offers it
   * (docs/cli-output.md): the same object on stdout, the same error envelope, no text.
   */
  override jsonEnabled(): boolean {
    return super.jsonEnabled() || asksFormatJson(this.argv, (this.ctor.flags as Record<string, FormatFlag> | undefined)?.format)
  }

  /**
   * Sets the exit code without throwing, so oclif still prints the `--json`
   * result that run() returns.
   */
  protected exitWith(code: number): void {
    process.exitCode = code
  }

  /**
   * Every human output goes through here. Renderers escape the data they print (safeText); this
   * is the net under them, so no control sequence from data reaches the terminal.
   */
  override log(message = '', ...args: unknown[]): void {
    super.log(safeOutput(args.length > 0 ? format(message, ...args) : message))
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    // oclif's own exits and usage errors (unknown flag, missing arg) carry an exit code: keep them.
    const oclifExit = (error as {oclif?: {exit?: number}}).oclif?.exit
    if (oclifExit !== undefined && !isJoeError(error)) {
      // oclif would print its whole error object (config included) as the --json output.
      if (this.jsonEnabled() && oclifExit !== 0) {
        const message = error.message
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '' && !line.startsWith('See more help'))
          .join(' ')
        this.logJson({format_version: ERROR_FORMAT_VERSION, error: {code: 'usage', message}})
        this.exit(oclifExit)
      }
      return super.catch(error)
    }
    // A JoeError from a typed flag's parser (flags.ts): oclif wrapped its message in "Parsing --flag … See more help".
    if (isJoeError(error)) error.message = error.message.replace(/^Parsing --\S+ \n\t/, '').replace(/\nSee more help with --help$/, '')
    // A store file that is read-only, corrupt or busy is the user's to fix, wherever it surfaced.
    const friendly = isStoreFileError(error) ? translateSqliteError(error, undefined) : error
    if (isJoeError(friendly)) {
      this.printJoeError(friendly)
      this.exit(friendly.exitCode)
    }
    const debug = this.argv.includes('--debug')
    process.stderr.write(`internal error: ${safeOutput(error.message, {color: false})}\n`)
    process.stderr.write(
      debug && error.stack ? `${error.stack}\n` : 'This is a bug in joe. Run again with --debug for the stack trace and report it.\n',
    )
    this.exit(EXIT.internal)
  }

  private printJoeError(error: JoeError): void {
    if (this.jsonEnabled()) {
      const w = error.where
      const location = w
        ? {
            location: {
              file: w.file,
              line: w.line,
              column: w.column,
              ...(w.endLine === undefined ? {} : {end_line: w.endLine}),
              ...(w.endColumn === undefined ? {} : {end_column: w.endColumn}),
            },
          }
        : {}
      const hint = error.hint ? {hint: error.hint} : {}
      this.logJson({format_version: ERROR_FORMAT_VERSION, error: {code: error.code, message: error.message, ...hint, ...location}})
      return
    }
    // Messages are joe's own sentences, several lines long at times, that quote data: keep their lines.
    const where = error.where ? `${safeText(error.where.file)}:${error.where.line}:${error.where.column}: ` : ''
    process.stderr.write(`${where}error ${error.code}: ${safeOutput(error.message, {color: false})}\n`)
    if (error.hint) process.stderr.write(`  hint: ${safeOutput(error.hint, {color: false})}\n`)
  }

  abstract override run(): Promise<T>
}

import type {Severity} from './errors.js'

export interface CodeInfo {
  /** Short rule name, used as the SARIF rule name. */
  name: string
  severity: Severity
  /** What the code means, for docs/journey-format.md and SARIF help. */
  summary: string
  /** Present for a code joe no longer emits (kept so it is never reused): the code emitted instead. */
  replacedBy?: string
}

/**
 * Every stable diagnostic code joe emits. Codes are never reused or renumbered:
 * CI scripts and SARIF baselines key on them. Blocks: 1xxx parse/schema/files,
 * 2xxx journey, test and template rules, 3xxx store/import, 4xxx simulate/test, 5xxx diff, 6xxx deploy,
 * 7xxx runtime and connectors, 8xxx message templates outside validation (preview, rendering).
 */
export const CODES = {
  JOE1001: {name: 'yaml-syntax', severity: 'error', summary: 'The file is not valid YAML.'},
  JOE1002: {
    name: 'duplicate-key',
    severity: 'error',
    summary: 'A mapping has the same key twice; YAML keeps only one, so the other is silently lost.',
  },
  JOE1003: {name: 'tab-indentation', severity: 'error', summary: 'A tab is used for indentation; YAML allows only spaces.'},
  JOE1004: {
    name: 'alias-limit',
    severity: 'error',
    summary: 'Anchors and aliases expand to too many nodes (a "billion laughs" document); joe refuses to expand it.',
  },
  JOE1005: {name: 'empty-file', severity: 'error', summary: 'The file is empty or holds only comments.'},
  JOE1006: {name: 'unreadable-file', severity: 'error', summary: 'The file cannot be read, is binary, or is not UTF-8 text.'},
  JOE1007: {
    name: 'file-too-large',
    severity: 'error',
    summary: 'The file is larger than the 1 MiB limit for a journey, test, config or template file.',
  },
  JOE1008: {name: 'not-a-mapping', severity: 'error', summary: 'The document is not a YAML mapping (key: value pairs) at the top level.'},
  JOE1009: {
    name: 'multiple-documents',
    severity: 'error',
    summary: 'The file holds more than one YAML document (`---`); a journey file holds exactly one.',
  },
  JOE1010: {name: 'unknown-key', severity: 'error', summary: 'A key the format does not define.'},
  JOE1011: {name: 'missing-key', severity: 'error', summary: 'A required key is missing.'},
  JOE1012: {name: 'wrong-type', severity: 'error', summary: 'A value has the wrong type (for example a list where a mapping belongs).'},
  JOE1013: {name: 'invalid-value', severity: 'error', summary: 'A value is not one of the allowed values.'},
  JOE1014: {
    name: 'invalid-format',
    severity: 'error',
    summary: 'A value does not have the required form (ids, durations, times of day, format version).',
  },
  JOE1015: {
    name: 'ambiguous-kind',
    severity: 'error',
    summary:
      'An entry or step must have exactly one kind key (e.g. one of event/segment/schedule, or one of wait/wait_for/branch/split/send/update).',
  },
  JOE1016: {name: 'out-of-range', severity: 'error', summary: 'A number is outside its allowed range.'},
  JOE1017: {name: 'schema', severity: 'error', summary: 'Any other JSON Schema violation.'},
  JOE1020: {name: 'invalid-config', severity: 'error', summary: '`joe.config.yaml` does not parse or does not match its schema.'},
  JOE1021: {
    name: 'unresolved-variable',
    severity: 'error',
    summary: 'A `${NAME}` reference in the config names an environment variable that is not set.',
  },
  JOE1030: {name: 'no-journeys', severity: 'error', summary: 'The paths given (or the configured journeys folder) hold no journey files.'},
  JOE1031: {name: 'path-not-found', severity: 'error', summary: 'A path given on the command line does not exist.'},
  JOE1032: {
    name: 'file-exists',
    severity: 'error',
    summary: '`joe init` or `joe new journey` would overwrite an existing file; nothing was written (use `--force` to overwrite).',
  },
  JOE1033: {
    name: 'outside-project-root',
    severity: 'error',
    summary:
      'A `journeys` entry of the config lies outside the project root, or a file named inside the project is a symlink that leads out of it; joe reads neither.',
  },
  JOE1034: {
    name: 'file-skipped',
    severity: 'warning',
    summary:
      'A file found in a journeys folder or glob was skipped: a FIFO, device or socket rather than a regular file, or a symlink leading outside the project root.',
  },
  JOE1035: {
    name: 'too-many-files',
    severity: 'error',
    summary: 'A journeys folder or glob reached 10,000 folders or 10,000 YAML files; joe stopped looking there.',
  },
  JOE1036: {
    name: 'cannot-write-file',
    severity: 'error',
    summary:
      'A file joe was asked to write (`--out`, `--trace`, `joe init`, `joe new journey`) cannot be written: the path is a folder or its folder is missing (exit 2), or the system refuses (exit 1).',
  },
  JOE1037: {
    name: 'unknown-journey',
    severity: 'error',
    summary:
      'A name given on the command line (to `simulate`, `graph`, `diff --base`, `plan`, `deploy`) is neither a journey id of the project nor an existing file, folder or glob (exit 2).',
  },
  JOE1038: {
    name: 'selected-journey-invalid',
    severity: 'error',
    summary: 'A journey named on the command line has validation errors; joe simulates, draws, diffs or deploys only valid journeys.',
  },
  JOE1039: {
    name: 'one-journey-expected',
    severity: 'error',
    summary: 'A command that takes one journey (`joe graph`) was given names that select several (exit 2).',
  },
  JOE2001: {name: 'duplicate-step-id', severity: 'error', summary: 'Two steps share an id; step ids are unique within a journey.'},
  JOE2002: {
    name: 'reserved-step-id',
    severity: 'error',
    summary: '`end` is reserved (it means "complete the journey") and cannot be a step id.',
  },
  JOE2003: {
    name: 'unknown-step',
    severity: 'error',
    summary: '`next`, `else`, `on_timeout` or a split/branch target names no step (and is not `end`).',
  },
  JOE2004: {name: 'unreachable-step', severity: 'warning', summary: 'No path from the entry reaches this step.'},
  JOE2005: {
    name: 'loop-without-wait',
    severity: 'error',
    summary: 'Steps form a loop with no `wait` or `wait_for`; a customer would spin forever at one instant.',
  },
  JOE2006: {name: 'split-percent-sum', severity: 'error', summary: 'Split percents must be integers that sum to 100.'},
  JOE2007: {name: 'duplicate-variant', severity: 'error', summary: 'Two variants of one split share a name.'},
  JOE2008: {name: 'missing-else', severity: 'error', summary: 'A branch has no `else`; every branch needs one so no customer is stranded.'},
  JOE2010: {name: 'cel-syntax', severity: 'error', summary: 'A CEL expression does not parse.'},
  JOE2011: {
    name: 'cel-unknown-variable',
    severity: 'error',
    summary: 'A CEL expression uses a variable that does not exist there (known: event, profile, journey, now, and channel in consent).',
  },
  JOE2012: {
    name: 'cel-type',
    severity: 'error',
    summary: 'A CEL expression does not type-check (e.g. comparing a string with a number, a condition that is not a bool).',
  },
  JOE2013: {
    name: 'cel-too-costly',
    severity: 'error',
    summary:
      'A CEL expression may iterate more than 100,000 list or map elements in the worst case (nested macros multiply; lists from data count as 100 elements).',
  },
  JOE2014: {
    name: 'cel-too-deep',
    severity: 'error',
    summary: 'A CEL expression nests more than 100 levels deep (brackets, `? :`, unary operators, or chains such as `a + b + ...`).',
  },
  JOE2020: {
    name: 'unknown-template',
    severity: 'error',
    summary:
      "A send names a template that the catalog does not have for that channel: no file `templates/<channel>/<id>.liquid` in the templates folder, and not in the config's `templates` list.",
  },
  JOE2030: {
    name: 'exit-is-entry',
    severity: 'warning',
    summary: 'An exit criterion is the entry event itself, so customers would leave on the next such event.',
  },
  JOE2031: {
    name: 'goal-is-entry',
    severity: 'warning',
    summary: 'The goal event is the entry event itself, so every re-trigger counts as a conversion.',
  },
  JOE2040: {name: 'holdout-range', severity: 'error', summary: '`settings.holdout` is a percent from 0 to 50.'},
  JOE2050: {
    name: 'duplicate-journey-id',
    severity: 'error',
    summary: 'Two journey files declare the same `id`; ids are unique in a project.',
  },
  JOE2060: {name: 'non-positive-duration', severity: 'error', summary: 'A duration is zero or negative.'},
  JOE2061: {
    name: 'invalid-moved',
    severity: 'error',
    summary: 'A `moved` entry points to a step that does not exist, or maps a step that still exists.',
  },
  JOE2062: {name: 'invalid-timezone', severity: 'error', summary: '`settings.timezone` is not UTC, `profile`, or a known IANA time zone.'},
  JOE2063: {name: 'invalid-cron', severity: 'error', summary: 'A schedule entry has a cron expression that is not standard 5-field cron.'},
  JOE2064: {name: 'empty-quiet-hours', severity: 'error', summary: 'Quiet hours start and end at the same time.'},
  JOE2065: {
    name: 'unused-next',
    severity: 'warning',
    summary: 'A `next` on a branch or split step is ignored: its cases or variants choose the next step.',
  },
  JOE2070: {
    name: 'event-type-near-miss',
    severity: 'warning',
    summary:
      'A journey names an event type the local event store has never seen, while it has one much like it (e.g. `order_completed` and Segment\'s "Order Completed"): the journey would never see those events.',
  },
  JOE2090: {name: 'test-unknown-journey', severity: 'error', summary: 'A test file names a journey id that no journey file declares.'},
  JOE2091: {name: 'test-unknown-step', severity: 'error', summary: 'A test expects a path through a step that the journey does not have.'},
  JOE2092: {name: 'test-unknown-variant', severity: 'error', summary: 'A test pins a split variant that the journey does not have.'},
  JOE2093: {
    name: 'test-invalid-time',
    severity: 'error',
    summary:
      'A test event time is neither an ISO 8601 timestamp (a real date, with a zone) nor "+duration", or the first event is relative.',
  },
  JOE2094: {
    name: 'test-contains-without-template',
    severity: 'error',
    summary: 'A test expects a send to `contain` some text, but its template has no file in the templates folder to render.',
  },
  JOE2100: {
    name: 'template-syntax',
    severity: 'error',
    summary: 'A template (a body, a front matter value or a partial) is not valid Liquid: an unclosed tag, an unknown tag or filter.',
  },
  JOE2101: {
    name: 'template-front-matter',
    severity: 'error',
    summary:
      "A template's front matter is not closed, is not a mapping, has a key its channel does not take (email: subject, from, reply_to, transactional; push and in_app: title, url), or a value of the wrong type.",
  },
  JOE2102: {
    name: 'template-unknown-variable',
    severity: 'error',
    summary:
      'A template reads a variable that does not exist (known: profile, data, journey, message, unsubscribe_url, view_in_browser_url), or a key that `journey` or `message` does not have; every render would fail.',
  },
  JOE2103: {
    name: 'template-missing-data',
    severity: 'warning',
    summary:
      "A send's template reads `data.<key>`, but the send's `data` does not set it and the template neither tests it with `if` nor gives it a `default`: the message would fail to render.",
  },
  JOE2104: {name: 'email-without-subject', severity: 'warning', summary: 'An email template has no `subject` in its front matter.'},
  JOE2105: {
    name: 'email-without-unsubscribe',
    severity: 'warning',
    summary:
      'An email template (or a partial it renders) never writes `{{ unsubscribe_url }}`; marketing email needs an unsubscribe link. Mark transactional messages with `transactional: true` in the front matter.',
  },
  JOE2106: {
    name: 'sms-segments',
    severity: 'info',
    summary:
      "An SMS template's fixed text alone takes more than one segment (GSM-7: 160 characters in one, 153 per segment beyond; UCS-2, forced by any character GSM-7 lacks: 70 and 67). Carriers bill per segment.",
  },
  JOE2107: {
    name: 'template-misplaced',
    severity: 'warning',
    summary:
      'A `.liquid` file in the templates folder is not where joe reads templates (`<channel>/<id>.liquid`, `email/<id>.txt.liquid`, `partials/<name>.liquid`) or its name is not an id; joe ignores it.',
  },
  JOE2108: {
    name: 'unknown-partial',
    severity: 'error',
    summary: 'A template renders or includes a partial that is not a file in the `partials/` folder of the templates folder.',
  },
  JOE3001: {
    name: 'import-invalid-lines',
    severity: 'error',
    summary: 'The import file has invalid lines; nothing was imported (fix them or use `--skip-invalid`).',
  },
  JOE3002: {name: 'invalid-event', severity: 'error', summary: 'One line or record of an import file is not a valid event.'},
  JOE3003: {
    name: 'import-format-unknown',
    severity: 'error',
    summary: 'The file is empty, or its format cannot be told from its first lines; pass `--format`.',
  },
  JOE3004: {
    name: 'import-file-unreadable',
    severity: 'error',
    summary: 'The import file does not exist, is a folder, a FIFO or a device rather than a regular file, or cannot be read.',
  },
  JOE3005: {
    name: 'store-too-new',
    severity: 'error',
    summary: 'The store was written by a newer joe (its schema version is higher than this joe knows).',
  },
  JOE3006: {
    name: 'not-an-event-store',
    severity: 'error',
    summary: 'The store file is not SQLite, is corrupt, or is a SQLite database that is not a joe store.',
  },
  JOE3007: {
    name: 'store-outdated',
    severity: 'error',
    summary: 'A read-only open found a store at an older schema; open it for writing once (e.g. an import) to upgrade it.',
  },
  JOE3008: {
    name: 'store-unavailable',
    severity: 'error',
    summary: 'The store is missing, or its file or folder cannot be created, opened or written.',
  },
  JOE3009: {name: 'store-busy', severity: 'error', summary: "Another process holds the store's write lock."},
  JOE3010: {name: 'csv-header', severity: 'error', summary: 'The CSV header row lacks customer_id, type or timestamp.'},
  JOE3011: {name: 'store-read-only', severity: 'error', summary: 'An import or generate was attempted on a store opened read-only.'},
  JOE3012: {
    name: 'invalid-generate-options',
    severity: 'error',
    summary: 'Generator options are out of range (customers or days below 1, unknown scenario).',
  },
  JOE4001: {
    name: 'test-journey-invalid',
    severity: 'error',
    summary: 'A test file names a journey that has validation errors, so its cases cannot run.',
  },
  JOE4002: {name: 'empty-store', severity: 'error', summary: 'The event store has no events to simulate.'},
  JOE4003: {name: 'invalid-window', severity: 'error', summary: '`--from` is after `--until`.'},
  JOE4004: {name: 'unknown-customer', severity: 'error', summary: 'The customer has no events in the store (or in the window).'},
  JOE4005: {
    name: 'invalid-time-flag',
    severity: 'error',
    summary:
      'A time flag (`--from`, `--until`, `--as-of`, `--start`) is not a date or an ISO 8601 date-time with a zone, or names an impossible date (`2026-02-31`).',
  },
  JOE4006: {
    name: 'journey-not-simulatable',
    severity: 'error',
    summary:
      'No longer emitted: `joe simulate` reports an unknown journey as JOE1037 and a journey with errors as JOE1038, as every command does.',
    replacedBy: 'JOE1037',
  },
  JOE4007: {name: 'no-policies', severity: 'error', summary: '`simulate --check` was given but the config has no `policies`.'},
  JOE5001: {
    name: 'not-a-git-repo',
    severity: 'error',
    summary: '`joe diff --base REF` was run outside a git repository (compare two files with `joe diff OLD NEW` instead).',
  },
  JOE5002: {
    name: 'unknown-git-ref',
    severity: 'error',
    summary: 'The `--base` ref names no commit, branch or tag here (fetch it first; in CI check out with full history).',
  },
  JOE5003: {
    name: 'diff-journey-invalid',
    severity: 'error',
    summary: 'A journey on one side of a diff does not validate, or two journeys there share an id; the differ compares loaded journeys.',
  },
  JOE5004: {
    name: 'diff-usage',
    severity: 'error',
    summary: 'Nothing to compare: `joe diff` needs two files or folders, or `--base REF` (with paths inside the repository).',
  },
  JOE5005: {name: 'git-failed', severity: 'error', summary: 'git could not be run, or a git command failed unexpectedly.'},
  JOE5006: {
    name: 'graph-journey-unknown',
    severity: 'error',
    summary:
      'No longer emitted: `joe graph` reports an unknown journey as JOE1037 and a journey with errors as JOE1038, as every command does.',
    replacedBy: 'JOE1037',
  },
  JOE5007: {
    name: 'graph-render-failed',
    severity: 'error',
    summary: 'The SVG renderer (Graphviz compiled to WebAssembly) could not be loaded or failed.',
  },
  JOE6001: {
    name: 'unknown-environment',
    severity: 'error',
    summary: '`--env` (or `--from`/`--to`, or a plan file) names an environment that joe.config.yaml does not define.',
  },
  JOE6002: {
    name: 'invalid-store-url',
    severity: 'error',
    summary: "An environment's `store` is neither `sqlite:PATH` nor a `postgres://` URL.",
  },
  JOE6003: {
    name: 'store-unavailable',
    severity: 'error',
    summary: 'The deploy store cannot be opened, connected to, or set up (tables created).',
  },
  JOE6004: {
    name: 'store-too-new',
    severity: 'error',
    summary: 'The deploy store was migrated by a newer joe; this joe does not know its schema.',
  },
  JOE6005: {
    name: 'deploy-locked',
    severity: 'error',
    summary: 'Another deploy to the environment held its deploy lock for longer than `--lock-timeout`.',
  },
  JOE6006: {name: 'stale-plan', severity: 'error', summary: "The environment's ledger moved since the plan was made; nothing was applied."},
  JOE6007: {
    name: 'invalid-plan-file',
    severity: 'error',
    summary: 'A saved plan file cannot be read, is not a joe deploy plan, is of another format version, or is malformed.',
  },
  JOE6008: {
    name: 'confirmation-required',
    severity: 'error',
    summary: 'A deploy that changes something needs confirmation: answer the prompt on a terminal, or pass `--yes`.',
  },
  JOE6009: {
    name: 'deploy-cancelled',
    severity: 'error',
    summary: 'The deploy was not confirmed at the prompt (answered no, or Ctrl-C); nothing was applied.',
  },
  JOE6010: {
    name: 'invalid-project',
    severity: 'error',
    summary: 'The project has validation errors; joe deploys nothing until `joe validate` is clean.',
  },
  JOE6011: {
    name: 'unknown-journey',
    severity: 'error',
    summary:
      'A journey named on the command line is not active in the environment (`pause`, `resume`, `rollback`, `promote`). A name that is not in the project is JOE1037.',
  },
  JOE6012: {
    name: 'unknown-revision',
    severity: 'error',
    summary: '`rollback --to` names no revision that was active in the environment, or a prefix matching several.',
  },
  JOE6013: {
    name: 'nothing-to-roll-back',
    severity: 'error',
    summary: 'The journey has no earlier revision in the environment to roll back to.',
  },
  JOE6020: {
    name: 'protected-environment',
    severity: 'error',
    summary:
      'A protected environment accepts only what its `promote_from` environment runs: revisions active there, and removals of journeys gone from there (or `--force` with a message).',
  },
  JOE6021: {
    name: 'policy-breach',
    severity: 'error',
    summary:
      'Simulating the revisions to deploy on the local event store breaches a config policy (bypass with `--skip-policies`, recorded in the ledger).',
  },
  JOE6022: {
    name: 'in-flight-drop',
    severity: 'error',
    summary:
      'A deploy removes steps where customers may be waiting (a new revision without a `moved` entry for them, or `--prune` removing the journey; spec section 7); refused unless `--allow-drop`.',
  },
  JOE6023: {
    name: 'force-needs-message',
    severity: 'error',
    summary: '`--force` on a protected environment needs `-m MESSAGE`, recorded in the ledger.',
  },
  JOE6024: {
    name: 'policy-check-unavailable',
    severity: 'error',
    summary:
      'The config has policies but they cannot be simulated (no local event store, or no events); import events or use `--skip-policies`.',
  },
  JOE6014: {
    name: 'invalid-deploy-flags',
    severity: 'error',
    summary:
      'Deploy flags that do not fit together or a bad value: `--prune` with named journeys or a plan file, a `plan --out` path that is a directory or cannot be written.',
  },
  JOE6015: {
    name: 'plan-signature-invalid',
    severity: 'error',
    summary:
      "A saved plan's signature is not the environment's: it was edited after `joe plan`, or signed with another key (`JOE_PLAN_KEY` differs). Nothing was applied.",
  },
  JOE6016: {
    name: 'plan-document-invalid',
    severity: 'error',
    summary:
      'A saved plan proposes a revision that is not the model of a valid journey with that id and hash (not JSON, fails validation, another id, an id that is not a journey id). Nothing was applied.',
  },
  JOE6017: {
    name: 'plan-state-mismatch',
    severity: 'error',
    summary:
      "A plan's changes do not start from the revisions active in the environment (a `from` that is not the active revision, or journeys it does not account for). Nothing was applied.",
  },
  JOE6018: {
    name: 'store-integrity',
    severity: 'error',
    summary:
      "The environment's deploy store fails verification (the ledger's hash chain, the active table against the ledger, or a revision against its hash): joe writes nothing to it; `joe verify` lists the problems.",
  },
  JOE6019: {
    name: 'plan-key-invalid',
    severity: 'error',
    summary: '`JOE_PLAN_KEY` is set but too short to sign plans with (at least 32 characters).',
  },
  JOE7001: {
    name: 'connector-invalid',
    severity: 'error',
    summary:
      "A channel's connector settings cannot be used: an unknown connector, a webhook or provider URL that is not http or https, an SMTP URL that is not smtp:// or smtps://, an unknown preset, a missing option, or an environment without public_url and link_secret for the links of messages.",
  },
  JOE7002: {
    name: 'port-in-use',
    severity: 'error',
    summary: '`joe serve` cannot listen: the port is taken.',
  },
  JOE7010: {
    name: 'clock-not-manual',
    severity: 'error',
    summary: 'The environment runs on the real clock, which `joe clock` cannot move.',
  },
  JOE7011: {
    name: 'clock-backwards',
    severity: 'error',
    summary: 'A manual clock only moves forward; the time given is before it.',
  },
  JOE7012: {
    name: 'replay-needs-manual-clock',
    severity: 'error',
    summary: '`joe events send --replay` moves the clock, and the environment runs on the real clock.',
  },
  JOE7013: {
    name: 'clock-usage',
    severity: 'error',
    summary: '`joe clock set` needs a time, `joe clock advance` a duration.',
  },
  JOE7014: {
    name: 'clock-not-set',
    severity: 'error',
    summary: 'A manual clock that was never set cannot advance.',
  },
  JOE7020: {
    name: 'dead-letter-unknown',
    severity: 'error',
    summary: '`joe outbox retry` names an outbox id that is not a dead letter of the environment.',
  },
  JOE7021: {
    name: 'outbox-status-unknown',
    severity: 'error',
    summary: '`joe outbox --status` names a status other than pending, sent and dead.',
  },
  JOE7022: {
    name: 'outbox-retry-usage',
    severity: 'error',
    summary: '`joe outbox retry` needs outbox ids (numbers) or `--all`.',
  },
  JOE7023: {
    name: 'export-json-needs-out',
    severity: 'error',
    summary: '`joe events export --json` prints a summary, so the events need a file: give `--out FILE`.',
  },
  JOE8001: {
    name: 'preview-unknown-template',
    severity: 'error',
    summary:
      '`joe preview` names no template of the templates folder (or an id several channels share), or the project has no templates folder.',
  },
  JOE8002: {
    name: 'template-render-failed',
    severity: 'error',
    summary:
      'The template does not render for this customer and data: a variable it reads is missing (templates are strict; use `default` for optional values) or a filter failed.',
  },
  JOE8003: {
    name: 'invalid-preview-flags',
    severity: 'error',
    summary: '`joe preview` flags that do not fit: `--data` not `key=value`, or `--format eml` for a template that is not an email.',
  },
} as const satisfies Record<string, CodeInfo>

export type DiagnosticCode = keyof typeof CODES

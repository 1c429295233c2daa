// Loaded before every test file (vitest setupFiles). Every property test runs from one fixed seed,
// so a failure replays exactly, and assertions made after fc.assert (e.g. "the fast path answered
// often enough") see the same inputs every run. fast-check prints the seed and path of a failure;
// JOE_FC_SEED=<integer> runs the suite from another seed to explore.
import fc from 'fast-check'

export const FAST_CHECK_SEED = process.env.JOE_FC_SEED === undefined ? 20_260_301 : Number(process.env.JOE_FC_SEED)

fc.configureGlobal({seed: FAST_CHECK_SEED})

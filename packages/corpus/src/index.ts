/**
 * @isc/corpus: the offline training corpus and evaluation rows from pinned npm and Debian packages
 * (buildCorpus), and the induction candidates of a corpus (inductionCandidates).
 */
export { buildCorpus, type BuildOptions, TEXT_LENGTH } from "./build.js";
export { SOURCES, type CorpusSource, type Register } from "./sources.js";
export { PinMismatchError } from "./pinned-fetch.js";
export { CANDIDATE_PROCEDURE, type CandidateOptions, type Candidates, candidatesFile, inductionCandidates } from "./induction-candidates.js";

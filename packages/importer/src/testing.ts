/** Test fixtures of @isc/importer (`@isc/importer/testing`): files real PyTorch wrote, for the reader's and the importer's tests. */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** test/fixtures/torch in the source tree (this file runs from dist/src); see its README.md. */
export const TORCH_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/fixtures/torch");

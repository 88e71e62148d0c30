/** Test fixtures of @isc/node (`@isc/node/testing`): not part of the library a command uses. */
export * from "./tiny-bundle.js";

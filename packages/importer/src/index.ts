/**
 * @isc/importer: Redwood's original model, evaluation rows and candidate list as a model bundle
 * (`importRedwood`), and the PyTorch checkpoint reader it is built on.
 */
export { importRedwood, ImportError, type ImportOptions, type ImportReport } from "./run-import.js";
export { SOURCES, type SourceFile, type SourceKey, SourceHashError } from "./sources.js";
export { DownloadError } from "./download.js";
export { ModelImportError } from "./convert-model.js";
export { DataImportError } from "./convert-data.js";
export {
  readTorchFile,
  readTorchStateDict,
  readTorchTensor,
  torchStateDictToFloat32,
  torchTensorToFloat32,
  torchTensorToNumbers,
  type TorchDtype,
  type TorchTensor,
  type TorchTensorData,
  type TorchValue,
} from "./torch-pickle.js";
export { TorchFileError } from "./torch-zip.js";

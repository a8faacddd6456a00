export {
  type EmbeddedArtifact,
  type FeatureCoverage,
  featureCoverage,
  parseEmbeddedManifest,
  requireDefaultArtifacts,
  versionMatches,
} from './coverage.ts';
export { featureOptionProblems, type OptionProblem } from './option-values.ts';
export {
  CURRENT_LINK,
  DEFAULT_DOWNLOAD_TIMEOUT_S,
  FEATURE_ARCHITECTURES,
  FEATURE_ID,
  type FeatureOption,
  featureOptions,
  KEYRING_FILE,
  MARKER_FILE,
  optionEnvName,
  PREFIX_STEM,
  RECEIPT_FILE,
  UNINSTALLER,
  WORK_PREFIX,
} from './options.ts';
export { DEFAULT_FEATURE_REFERENCE } from './reference.ts';
export {
  featureDefaultVersion,
  fillTemplate,
  INSTALL_MODULE_TESTS_DIR,
  INSTALL_MODULES,
  INSTALL_MODULES_DIR,
  installTemplate,
  manifestLines,
  type RenderedFeature,
  renderFeature,
} from './render.ts';
export { type VendorInput, vendorFeature } from './vendor.ts';
export {
  type BumpLevel,
  bumpFeatureVersion,
  bumpLevels,
  bumpVersion,
  FeatureVersionFile,
  readFeatureVersion,
} from './version.ts';
export { writeFeatureFiles } from './write.ts';

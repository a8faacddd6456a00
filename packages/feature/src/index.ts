export {
  type EmbeddedArtifact,
  type FeatureCoverage,
  featureCoverage,
  parseEmbeddedManifest,
  requireDefaultArtifacts,
  versionMatches,
} from './coverage.ts';
export {
  CURRENT_LINK,
  FEATURE_ARCHITECTURES,
  FEATURE_ID,
  type FeatureOption,
  featureOptions,
  optionEnvName,
} from './options.ts';
export { DEFAULT_FEATURE_REFERENCE } from './reference.ts';
export { manifestLines, type RenderedFeature, renderFeature } from './render.ts';
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

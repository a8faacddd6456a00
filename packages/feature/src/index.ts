export {
  CURRENT_LINK,
  DEFAULT_DOWNLOAD_TIMEOUT_S,
  FEATURE_ID,
  FEATURE_VERSION,
  type FeatureOption,
  featureOptions,
  KEYRING_FILE,
  MARKER_FILE,
  optionEnvName,
  PREFIX_STEM,
  WORK_PREFIX,
} from './options.ts';
export { DEFAULT_FEATURE_REFERENCE } from './reference.ts';
export { fillTemplate, manifestLines, type RenderedFeature, renderFeature } from './render.ts';
export { type VendorInput, vendorFeature } from './vendor.ts';
export { writeFeatureFiles } from './write.ts';

export { CURRENT_LINK, FEATURE_ID, FEATURE_VERSION, type FeatureOption, featureOptions, optionEnvName } from './options.ts';
export { DEFAULT_FEATURE_REFERENCE } from './reference.ts';
export { manifestLines, type RenderedFeature, renderFeature } from './render.ts';
export { type VendorInput, vendorFeature } from './vendor.ts';
export { writeFeatureFiles } from './write.ts';

export { type EditResult, type FeatureEntry, parseOrRefuse, switchToFeature } from './edit.ts';
export { findDevcontainerJson, type IntegrateInput, type IntegrateResult, integrate } from './integrate.ts';

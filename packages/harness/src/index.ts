export { assembleCollection, type CollectionInput } from './collection.ts';
export { type FeaturesTestReport, featuresTest } from './features-test.ts';
export { type InstallRunInput, type InstallRunResult, runInstallScript } from './install-script.ts';
export { type LocalRegistry, startRegistry } from './registry.ts';
export { createWorkspace, type DevcontainerWorkspace, type WorkspaceInput } from './workspace.ts';

export { type LocalRegistry, startRegistry } from '@cpython-prebuilt/release';
export { assembleCollection, type CollectionInput } from './collection.ts';
export { type FeaturesTestReport, featuresTest } from './features-test.ts';
export { type InstallRunInput, type InstallRunResult, runInstallScript } from './install-script.ts';
export { createWorkspace, type DevcontainerWorkspace, openWorkspace, type WorkspaceInput } from './workspace.ts';

export { assembleCollection, type CollectionInput } from './collection.ts';
export { devcontainer, devcontainerBin, type FeaturesTestReport, featuresTest } from './devcontainer.ts';
export { type InstallRunInput, type InstallRunResult, runInstallScript } from './install-script.ts';
export { createWorkspace, type DevcontainerWorkspace, type WorkspaceInput } from './workspace.ts';

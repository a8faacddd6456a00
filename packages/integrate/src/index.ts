export {
  type EditResult,
  type EditStatus,
  type FeatureEntry,
  type OptionOutcome,
  officialPythonOptions,
  parseOrRefuse,
  switchToFeature,
} from './edit.ts';
export {
  type ConfigReport,
  findConfigurations,
  findDevcontainerJson,
  formatReport,
  type IntegrateInput,
  type IntegrateMode,
  type IntegrateProjectInput,
  type IntegrateReport,
  type IntegrateResult,
  integrate,
  integrateProject,
} from './integrate.ts';
export { type ProjectVersion, projectPythonVersion } from './project-version.ts';
export { type Finding, type ImageLocation, type ImageSource, isPythonImage, locateImageSource } from './sources.ts';

export { reproduceBlock, writeResults } from './documents.ts';
export { type InstallSpeed, type InstallSpeedInput, measureInstallSpeed } from './install-speed.ts';
export {
  type Interpreter,
  type InterpreterSpeed,
  type InterpreterSpeedInput,
  measureInterpreterSpeed,
} from './interpreter-speed.ts';
export { describeMachine, type MeasureInput, type Measurement, measurePilot } from './measure.ts';
export { renderResults } from './report.ts';
export { type Summary, summarize } from './stats.ts';

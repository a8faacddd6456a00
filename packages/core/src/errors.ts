/**
 * Every failure a user can meet is a CpythonPrebuiltError: a stable `code` for scripts and tests,
 * a message naming the cause, a `fix` naming what to do, and the log that holds the details.
 * Only the CLI entry point catches and prints them.
 */
export type ErrorCode =
  | 'CHECKSUM_MISMATCH'
  | 'CHECKSUM_FILE_INVALID'
  | 'UNKNOWN_VERSION'
  | 'UNKNOWN_BASE'
  | 'INVALID_INPUT'
  | 'SOURCE_NOT_FOUND'
  | 'DOWNLOAD_FAILED'
  | 'COMMAND_FAILED'
  | 'DOCKER_UNAVAILABLE'
  | 'IMAGE_MISSING'
  | 'IMAGE_WRONG_ARCH'
  | 'CROSS_BUILD_NO_PGO'
  | 'CROSS_BUILD_UNSUPPORTED_BASE'
  | 'BUILD_FAILED'
  | 'ARTIFACT_INVALID'
  | 'VALIDATION_FAILED'
  | 'VAGRANT_UNAVAILABLE'
  | 'VAGRANT_FAILED'
  | 'BENCH_FAILED'
  | 'NOT_ENOUGH_DISK'
  | 'BUILD_OVER_BUDGET'
  | 'PUBLISH_FAILED'
  | 'FEED_INVALID'
  | 'UPDATE_DUE'
  | 'PYTHON_COMPILED'
  | 'MANIFEST_INCOMPLETE'
  | 'RELEASE_MISSING'
  | 'WORKFLOW_INVALID'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_MISSING'
  | 'SIGNING_KEY_INVALID';

/**
 * The exit status of a failure, by kind, as tools around it do: 1 a check failed (the thing
 * examined is not right), 2 the command was used wrongly, 3 the environment is missing something
 * (Docker, an image, disk, the network), 4 a verification refused (digest, signature, key).
 */
export const EXIT_CODES = { checkFailed: 1, usage: 2, environment: 3, refused: 4 } as const;

const USAGE: readonly ErrorCode[] = [
  'INVALID_INPUT',
  'UNKNOWN_VERSION',
  'UNKNOWN_BASE',
  'CROSS_BUILD_NO_PGO',
  'CROSS_BUILD_UNSUPPORTED_BASE',
];
const ENVIRONMENT: readonly ErrorCode[] = [
  'DOCKER_UNAVAILABLE',
  'IMAGE_MISSING',
  'IMAGE_WRONG_ARCH',
  'VAGRANT_UNAVAILABLE',
  'NOT_ENOUGH_DISK',
  'DOWNLOAD_FAILED',
  'SOURCE_NOT_FOUND',
];
const REFUSED: readonly ErrorCode[] = [
  'CHECKSUM_MISMATCH',
  'CHECKSUM_FILE_INVALID',
  'SIGNATURE_INVALID',
  'SIGNATURE_MISSING',
  'SIGNING_KEY_INVALID',
];

/** The exit status for an error code (EXIT_CODES). */
export function exitCodeFor(code: ErrorCode): number {
  if (USAGE.includes(code)) return EXIT_CODES.usage;
  if (ENVIRONMENT.includes(code)) return EXIT_CODES.environment;
  if (REFUSED.includes(code)) return EXIT_CODES.refused;
  return EXIT_CODES.checkFailed;
}

export interface ErrorDetails {
  fix?: string;
  logPath?: string;
  cause?: unknown;
}

export class CpythonPrebuiltError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  readonly logPath: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CpythonPrebuiltError';
    this.code = code;
    this.fix = details.fix;
    this.logPath = details.logPath;
  }

  /** One paragraph for a terminal: cause, fix, log. */
  describe(): string {
    const parts = [`error [${this.code}]: ${this.message}`];
    if (this.fix) parts.push(`fix: ${this.fix}`);
    if (this.logPath) parts.push(`log: ${this.logPath}`);
    return parts.join('\n');
  }
}

export function isCpythonPrebuiltError(value: unknown): value is CpythonPrebuiltError {
  return value instanceof CpythonPrebuiltError;
}

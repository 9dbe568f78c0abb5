import { parseByteSize, StevedoreError } from '@stevedore/shared';

export interface LogLimits {
  /** Bytes the current file may reach before conmon starts a new one. */
  maxSize: number;
  /** Files kept, the current one included. */
  maxFiles: number;
}

/** Docker's `local` log driver defaults: five files of 20 MB. */
export const DEFAULT_LOG_LIMITS: LogLimits = { maxSize: 20 * 1024 * 1024, maxFiles: 5 };

/**
 * max-size / max-file from a container's `--log-opt` over the agent's `log-opts`, over the
 * defaults; `max-size=-1` means no limit (null). Invalid values are INVALID_ARGUMENT.
 */
export function logLimits(
  agentOpts: Readonly<Record<string, string>>,
  containerOpts: Readonly<Record<string, string>>,
): LogLimits | null {
  const opts = { ...agentOpts, ...containerOpts };
  const maxSizeText = opts['max-size'];
  if (maxSizeText === '-1') return null;
  const maxFilesText = opts['max-file'];
  if (maxFilesText !== undefined && !/^[1-9]\d*$/.test(maxFilesText)) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `invalid log-opt max-file "${maxFilesText}": use a whole number of files, 1 or more`,
    );
  }
  let maxSize = DEFAULT_LOG_LIMITS.maxSize;
  if (maxSizeText !== undefined) {
    try {
      maxSize = parseByteSize(maxSizeText);
    } catch (error) {
      throw new StevedoreError('INVALID_ARGUMENT', `log-opt max-size: ${(error as Error).message}`);
    }
    if (maxSize <= 0)
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        'log-opt max-size must be more than 0 (or -1 for no limit)',
      );
  }
  return {
    maxSize,
    maxFiles: maxFilesText === undefined ? DEFAULT_LOG_LIMITS.maxFiles : Number(maxFilesText),
  };
}

import { CURRENT_DSL_VERSION, type DslProblem } from './dsl.types';

const OLDEST_MINOR = 1;
const NEWEST_MINOR = 7;
// Dify's services/dsl_version.py reports an older minor version as `completed-with-warnings`.
const WARN_BELOW_MINOR = 6;

/** The outcome of checking a DSL `version`: the version used, and at most one problem or warning. */
export interface DslVersionCheck {
  problem?: DslProblem;
  version: string;
  warning?: string;
}

/** Accepts DSL versions 0.1.x to 0.7.x; a missing version counts as 0.1.0, as in Dify. */
export function checkDslVersion(value: unknown): DslVersionCheck {
  if (value === undefined || value === null || value === '') return withWarning('0.1.0');
  if (typeof value !== 'string') {
    return {
      problem: {
        code: 'unsupported_version',
        message: `version must be a quoted string such as "${CURRENT_DSL_VERSION}", not ${JSON.stringify(value)}`,
        path: 'version',
      },
      version: String(value),
    };
  }
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) {
    return {
      problem: {
        code: 'unsupported_version',
        message: `DSL version "${value}" is not a version number; Weft imports DSL versions 0.1.0 to 0.7.x`,
        path: 'version',
      },
      version: value,
    };
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major > 0 || minor > NEWEST_MINOR) {
    return {
      problem: {
        code: 'unsupported_version',
        message: `DSL version ${value} is newer than Weft understands (0.1.0 to 0.7.x); export the app from a Dify release that writes DSL 0.7 or older`,
        path: 'version',
      },
      version: value,
    };
  }
  if (minor < OLDEST_MINOR) {
    return {
      problem: {
        code: 'unsupported_version',
        message: `DSL version ${value} is older than 0.1.0, which Weft cannot read`,
        path: 'version',
      },
      version: value,
    };
  }
  return withWarning(value);
}

function withWarning(version: string): DslVersionCheck {
  const minor = Number(version.split('.')[1]);
  if (minor >= WARN_BELOW_MINOR) return { version };
  return {
    version,
    warning: `DSL version ${version} is older than ${CURRENT_DSL_VERSION}: the app was imported, but check it in the editor before publishing`,
  };
}

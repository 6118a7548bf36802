/** One problem with the config: a dotted path (`users.1.passwordHash`) and what is wrong there. */
export interface ConfigIssue {
  /** Dotted path with numeric indices; "" for problems with the file as a whole. */
  path: string;
  message: string;
}

/**
 * Everything wrong with a config, reported at once so the user can fix it in
 * one pass. Messages never contain password or passwordHash values.
 */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  /** The config file, when the config came from one. */
  readonly file: string | undefined;

  constructor(file: string | undefined, issues: ConfigIssue[]) {
    super(formatConfigError(file, issues));
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
}

function formatConfigError(file: string | undefined, issues: ConfigIssue[]): string {
  const lines = issues.map((issue) => `  - ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`);
  return [`invalid config${file === undefined ? '' : ` ${file}`}:`, ...lines].join('\n');
}

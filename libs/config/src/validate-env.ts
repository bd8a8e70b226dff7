import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    e.constraints
      ? // The value is deliberately not printed: it may be a secret.
        Object.values(e.constraints).map((c) => `${e.property}: ${c}`)
      : flatten(e.children ?? []),
  );
}

/**
 * Builds a typed config object from environment variables and validates all of it at once, so a
 * misconfigured deployment fails at start with every problem listed, not at the first request.
 */
export function validateEnv<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv, extraChecks?: (config: T) => string[]): T {
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') plain[k] = v;
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: true, excludeExtraneousValues: false });
  const problems = flatten(validateSync(instance, { whitelist: false, skipMissingProperties: false }));
  // Checks across settings run even when a single one is wrong, so one failed start lists everything.
  if (extraChecks) problems.push(...extraChecks(instance));
  if (problems.length) throw new ConfigValidationError(problems);
  return instance;
}

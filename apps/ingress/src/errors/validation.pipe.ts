import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { GatewayError } from '@app/errors';

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    // A missing field breaks every rule of it; saying it is missing is the whole story.
    if (e.constraints?.isDefined) return [`${here}${e.constraints.isDefined.slice(e.property.length)}`];
    // Constraint messages name the field and the rule, never the offending value.
    return e.constraints ? Object.values(e.constraints).map((m) => (m.startsWith(e.property) ? `${here}${m.slice(e.property.length)}` : `${here}: ${m}`)) : describe(e.children ?? [], here);
  });
}

const SUBJECTS = new WeakMap<object, string>();

/**
 * Names what a DTO is in validation errors ("invalid notification"), so a caller of any route
 * learns what was wrong with what it sent; subclasses inherit their parent's name.
 */
export const ValidationSubject =
  (subject: string): ClassDecorator =>
  (target) => {
    SUBJECTS.set(target, subject);
  };

function subjectOf(metadata: ArgumentMetadata): string {
  for (let c: unknown = metadata.metatype; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const subject = SUBJECTS.get(c);
    if (subject) return subject;
  }
  return `request ${metadata.type === 'custom' ? 'input' : metadata.type}`;
}

/** Carries the field-level problems from the factory to transform, which knows the route's DTO. */
class InvalidInput extends Error {
  constructor(readonly problems: string[]) {
    super('invalid input');
  }
}

/** Unknown fields are dropped (Genesys may add some); wrong ones are refused with field-level detail. */
class GatewayValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (e) {
      if (e instanceof InvalidInput) throw new GatewayError('invalid_request', `invalid ${subjectOf(metadata)}`, e.problems.slice(0, 20));
      throw e;
    }
  }
}

export function createValidationPipe(): ValidationPipe {
  return new GatewayValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new InvalidInput(describe(errors)),
  });
}

import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { GatewayError } from '@app/errors';

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    // Constraint messages name the field and the rule, never the offending value.
    return e.constraints ? Object.values(e.constraints).map((m) => (m.startsWith(e.property) ? `${here}${m.slice(e.property.length)}` : `${here}: ${m}`)) : describe(e.children ?? [], here);
  });
}

/** Unknown fields are dropped (Genesys may add some); wrong ones are refused with field-level detail. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new GatewayError('invalid_request', 'invalid Bot Connector request', describe(errors).slice(0, 20)),
  });
}

import { registerDecorator, type ValidationOptions } from 'class-validator';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const FORBIDDEN = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/** `{ "Authorization": "Bearer …" }`: at most 20 headers, valid names, string values without line breaks. */
export function IsHeaderMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isHeaderMap',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must map at most 20 header names to values (no Host, Content-Length, Transfer-Encoding or Connection; no line breaks; values up to 4000 characters)`, ...options },
      validator: {
        validate: (v: unknown) =>
          !!v &&
          typeof v === 'object' &&
          !Array.isArray(v) &&
          Object.keys(v).length <= 20 &&
          Object.entries(v as Record<string, unknown>).every(([k, val]) => HEADER_NAME.test(k) && !FORBIDDEN.has(k.toLowerCase()) && typeof val === 'string' && val.length <= 4000 && !/[\r\n\0]/.test(val)),
      },
    });
}

/** A list of short names (Kore task names, Lex intent names), compared trimmed and case-insensitively. */
export function IsNameList(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isNameList',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a list of at most 100 names of 1-200 characters`, ...options },
      validator: { validate: (v: unknown) => Array.isArray(v) && v.length <= 100 && v.every((n) => typeof n === 'string' && n.trim().length > 0 && n.length <= 200) },
    });
}

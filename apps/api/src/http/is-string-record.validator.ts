import { registerDecorator, type ValidationOptions } from 'class-validator';

/** An object of at most `maxKeys` string values, each at most `maxLength` characters. */
export function IsStringRecord(maxKeys: number, maxLength: number, options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isStringRecord',
      target: target.constructor,
      propertyName,
      options: {
        message:
          `${propertyName} must map at most ${maxKeys} names to strings ` +
          `of at most ${maxLength} characters`,
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            return false;
          }
          const entries = Object.entries(value);
          return (
            entries.length <= maxKeys &&
            entries.every(([, v]) => typeof v === 'string' && v.length <= maxLength)
          );
        },
      },
    });
  };
}

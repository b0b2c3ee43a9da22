/** Schemas of the Kommo request bodies that hooks see and return (Kommo API v4). */
import { Type } from '@sinclair/typebox';

/** Kommo bodies take "other fields" too: unknown keys pass through to the request. */
export const open = { additionalProperties: true } as const;

export const PhoneValueSchema = Type.Object(
  {
    enum_code: Type.String({ minLength: 1, description: 'hookline writes "WORK"' }),
    value: Type.String({ minLength: 1, description: "the client's phone number" }),
  },
  open,
);

export const CustomFieldValueSchema = Type.Object(
  {
    field_id: Type.Integer({ minimum: 1, description: 'id of the contacts field with code PHONE (read from the account)' }),
    values: Type.Array(PhoneValueSchema, { minItems: 1 }),
  },
  open,
);

export const IdRefSchema = Type.Object({ id: Type.Integer({ minimum: 1 }) }, open);
export const TagRefSchema = Type.Object({ name: Type.String({ minLength: 1 }) }, open);
export const UnixTime = (description: string) => Type.Integer({ minimum: 0, description: `${description} (Unix time, seconds)` });
export const UserId = (description: string) => Type.Integer({ minimum: 0, description });

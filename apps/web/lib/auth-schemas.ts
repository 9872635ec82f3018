import { z } from 'zod';

/**
 * The sign-in and account forms, checked in the browser and again by the API. Strict, like
 * every request body: an unknown field is a 400 naming it.
 */

export const MIN_PASSWORD_LENGTH = 12;

export const signInSchema = z.strictObject({
  username: z.string().trim().min(1, 'Enter your user name.').max(64),
  password: z.string().min(1, 'Enter your password.').max(256),
});

export const changePasswordSchema = z.strictObject({
  currentPassword: z.string().min(1, 'Enter your current password.').max(256),
  newPassword: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(256, 'A password is at most 256 characters.'),
});

/** How long a new API token lives, in days (the Account page offers these). */
export const API_TOKEN_LIFETIMES = [7, 30, 90, 365] as const;

export const apiTokenSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'Name the token, e.g. "ci" or "laptop CLI".')
    .max(100, 'A token name is at most 100 characters.'),
  expiresInDays: z
    .number()
    .int('Enter whole days.')
    .min(1, 'A token lives at least a day.')
    .max(365, 'A token lives at most 365 days; make a new one when it expires.')
    .default(90),
});

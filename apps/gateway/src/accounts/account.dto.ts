import { z } from 'zod';
import { epochSeconds } from '../docs/common.dto';
import { WORKSPACE_ROLES } from './workspace-role.util';

const email = z.string().trim().toLowerCase().email().max(254);

/**
 * `POST /console/api/register`. The password policy is checked by the service, which names each unmet rule.
 * The instance's first account is created at once; any later one gets a mailed code (`EmailCodeSentSchema`).
 */
export const RegisterRequestSchema = z.object({
  email,
  language: z.string().max(20).optional(),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(256),
});

/** `POST /console/api/email-register/send-email` and `POST /console/api/forgot-password` (Dify's shape; mails are in English). */
export const EmailCodeRequestSchema = z.object({ email, language: z.string().max(20).optional() });

/** Dify's answer to a request for a mailed code: the token to send back with the code, whether or not the address has an account. */
export const EmailCodeSentSchema = z.object({ data: z.string(), result: z.literal('success') });
export type EmailCodeSent = z.infer<typeof EmailCodeSentSchema>;

/** `POST /console/api/email-register/validity` and `POST /console/api/forgot-password/validity`: the mailed code and its token. */
export const EmailCodeCheckRequestSchema = z.object({
  code: z.string().trim().min(1).max(32),
  email,
  token: z.string().min(1).max(200),
});

/** A confirmed code: `token` (a new one) completes the sign-up or the reset, once. */
export const EmailCodeCheckedSchema = z.object({ email: z.string(), is_valid: z.literal(true), token: z.string() });
export type EmailCodeChecked = z.infer<typeof EmailCodeCheckedSchema>;

/**
 * `POST /console/api/email-register` (Dify's shape): the confirmed token and the password. A sign-up started
 * with `POST /console/api/register` already has its password, so it may leave both out. `name` defaults to
 * what register was given, or the part of the address before the @.
 */
export const EmailRegisterRequestSchema = z.object({
  language: z.string().max(20).optional(),
  name: z.string().trim().min(1).max(100).optional(),
  new_password: z.string().min(1).max(256).optional(),
  password_confirm: z.string().min(1).max(256).optional(),
  timezone: z.string().max(64).optional(),
  token: z.string().min(1).max(200),
});

/** `POST /console/api/forgot-password/resets` (Dify's shape). */
export const PasswordResetRequestSchema = z.object({
  new_password: z.string().min(1).max(256),
  password_confirm: z.string().min(1).max(256),
  token: z.string().min(1).max(200),
});

/** `POST /console/api/login`. */
export const LoginRequestSchema = z.object({ email: z.string().trim().toLowerCase().min(1).max(254), password: z.string().max(256) });

/** `POST /console/api/refresh-token`. */
export const RefreshRequestSchema = z.object({ refresh_token: z.string().min(1).max(512) });

/** `POST /console/api/account/password` (Dify's field names). */
export const ChangePasswordRequestSchema = z.object({
  password: z.string().max(256),
  new_password: z.string().min(1).max(256),
  repeat_new_password: z.string().max(256),
});

/** What login and refresh answer. */
export const TokenResponseSchema = z.object({
  access_token: z.string(),
  expires_in: z.number().int(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/**
 * What a new account's first sign-in answers (register for the instance's first account, an activated
 * invitation, a completed sign-up): the tokens, the new account and its workspace.
 */
export const RegisteredResponseSchema = TokenResponseSchema.extend({ account_id: z.string().uuid(), workspace_id: z.string().uuid() });
export type RegisteredResponse = z.infer<typeof RegisteredResponseSchema>;

/** `POST /console/api/email-register` (Dify's `{result, data}` around the new account's tokens). */
export const EmailRegisteredSchema = z.object({ data: RegisteredResponseSchema, result: z.literal('success') });
export type EmailRegistered = z.infer<typeof EmailRegisteredSchema>;

/** `GET /console/api/account/profile` (Dify's field names), with the caller's current workspace and role there. */
export const AccountProfileSchema = z.object({
  created_at: epochSeconds,
  current_workspace_id: z.string().uuid(),
  email: z.string(),
  id: z.string().uuid(),
  last_login_at: epochSeconds.nullable(),
  last_login_ip: z.string().nullable(),
  name: z.string(),
  role: z.enum(WORKSPACE_ROLES),
});
export type AccountProfile = z.infer<typeof AccountProfileSchema>;

import { z } from 'zod';
import { epochSeconds } from '../docs/common.dto';
import { WORKSPACE_ROLES } from './workspace-role.util';

/** `POST /console/api/register`. The password policy is checked by the service, which names each unmet rule. */
export const RegisterRequestSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(256),
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

/** What register (and an accepted invitation, `POST /console/api/activate`) answers: the tokens, the new account and its workspace. */
export const RegisteredResponseSchema = TokenResponseSchema.extend({ account_id: z.string().uuid(), workspace_id: z.string().uuid() });
export type RegisteredResponse = z.infer<typeof RegisteredResponseSchema>;

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

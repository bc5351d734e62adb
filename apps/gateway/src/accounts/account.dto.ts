import { z } from 'zod';

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

/** What login, register and refresh answer. */
export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

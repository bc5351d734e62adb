import { z } from 'zod';

/** `POST /console/api/register`. */
export const RegisterRequestSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(8).max(256),
});

/** `POST /console/api/login`. */
export const LoginRequestSchema = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(256) });

/** What login and register answer. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

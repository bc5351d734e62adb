import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A code mailed to prove an address is its reader's (sign-up, password reset), with the token that goes
 * with it. Both are stored hashed; the code is checked a few times at most, and once confirmed the row gets
 * a fresh token (`phase: verified`) that completes the sign-up or sets the new password once.
 */
@Entity({ name: 'verification_codes' })
@Index('verification_codes_token_hash_key', ['tokenHash'], { unique: true })
@Index('verification_codes_email_purpose_idx', ['email', 'purpose', 'createdAt'])
@Index('verification_codes_created_idx', ['createdAt'])
export class VerificationCodeEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** `register` or `reset_password`. */
  @Column({ type: 'text' })
  purpose!: string;

  @Column({ type: 'text' })
  email!: string;

  /** The account a password reset is for; null for a sign-up, and for a reset asked for an unknown address. */
  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId!: string | null;

  /** What `POST /console/api/register` was given, kept until the code is confirmed. */
  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  /** HMAC-SHA256 of the row id and the code, under a key derived from SECRET_KEY. */
  @Column({ name: 'code_hash', type: 'text' })
  codeHash!: string;

  /** `code` until the code is confirmed, then `verified`. */
  @Column({ type: 'text', default: 'code' })
  phase!: string;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** When the token was spent, or replaced by a newer code for the same address. */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An invitation to join a workspace, by email; the link carries a token stored as its hash. Someone new
 * creates an account with it (`POST /console/api/activate`); an existing account, signed in, accepts it
 * (`POST /console/api/workspaces/invitations/accept`). Until then nobody joins.
 */
@Entity({ name: 'invitations' })
@Index('invitations_token_hash_key', ['tokenHash'], { unique: true })
@Index('invitations_workspace_email_idx', ['workspaceId', 'email'])
export class InvitationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId!: string;

  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  role!: string;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ name: 'invited_by', type: 'uuid' })
  invitedBy!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

// The plugin's own REST API (docs/api.md): what its endpoints take and answer.
// Core types come from @mattermost/types; nothing here copies them.

/** What GET /me says about the current user. */
export interface Me {
    user_id: string;
    is_guest: boolean;
    can_invite: boolean;
    is_admin: boolean;
    allowed_domains: string[];
    invitation_lifetime_hours: number;
    guest_accounts_enabled: boolean;
    has_channels: boolean;

    /** Not in the contract yet: the user who invited this guest, if the server sends it. */
    invited_by?: string;
}

export type RestrictionKey =
    | 'upload_files'
    | 'download_files'
    | 'edit_own_posts'
    | 'react'
    | 'create_private_channels'
    | 'direct_messages';

export const RESTRICTION_KEYS: RestrictionKey[] = [
    'upload_files',
    'download_files',
    'edit_own_posts',
    'react',
    'create_private_channels',
    'direct_messages',
];

export type Restrictions = Record<RestrictionKey, boolean>;
export type RestrictionOverrides = Partial<Record<RestrictionKey, boolean | null>>;

export type GuestStatus = 'active' | 'deactivated';
export type DeactivatedReason = '' | 'admin' | 'switch' | 'plugin_disabled' | 'expired' | 'domain' | 'cap';

/** The automatic guest rule that made an account a guest ('' = none: invited or made by hand). */
export type GuestRule = '' | 'member_domains' | 'sign_in_method';

export interface Guest {
    user_id: string;
    username: string;
    email: string;
    first_name: string;
    last_name: string;
    nickname: string;
    position: string;
    status: GuestStatus;
    deactivated_reason: DeactivatedReason;
    invited_by: string;
    created_at: number;
    expires_at: number;
    last_activity_at: number;
    single_channel: boolean;
    channel_ids: string[];
    restrictions: Restrictions;
    restriction_overrides: RestrictionOverrides;

    /** Whether the guest needs MFA (own value, else the settings and their teams). */
    require_mfa: boolean;

    /** The guest's own MFA value; null follows the settings. */
    require_mfa_override: boolean | null;

    /** Whether the guest has set MFA up. */
    mfa_active: boolean;
    rule: GuestRule;

    /** When the expiry reminder went out (0: not yet). */
    reminder_sent_at: number;
}

export type InviteStatus = 'pending' | 'accepted' | 'revoked' | 'expired' | 'superseded';

export interface Invite {
    id: string;
    email: string;
    channel_ids: string[];
    team_ids: string[];
    inviter_id: string;
    message: string;
    created_at: number;
    expires_at: number;
    guest_expires_at: number;
    single_channel: boolean;
    status: InviteStatus;
}

export interface CreateInvitesRequest {
    emails: string[];
    channel_ids: string[];
    message?: string;
    expires_in_hours?: number;
    guest_expires_at?: number;
    single_channel?: boolean;
}

export type InviteResultStatus =
    | 'sent'
    | 'invalid_address'
    | 'domain_not_allowed'
    | 'already_member'
    | 'added_to_channels'
    | 'cap_reached'
    | 'error';

export interface InviteResult {
    email: string;
    status: InviteResultStatus;
    invite_id?: string;
    message?: string;
}

export interface EditionLimit {
    capability: string;
    enforced: boolean;
    note: string;
}

export interface Stats {
    active_guests: number;
    deactivated_guests: number;
    pending_invitations: number;
    max_active_guests: number;
    max_channels_per_guest: number;
    guest_accounts_enabled: boolean;
    edition: 'licensed' | 'unlicensed';
    edition_limits: EditionLimit[];
    configuration_error?: string;

    /** "before": joins are vetoed (11.7+); "after": undone right after. */
    join_enforcement?: 'before' | 'after';

    /** Set when guests must use MFA while the server has MFA turned off. */
    mfa_warning?: string;

    /** False while the lists' and counts' indexes are first built after an upgrade. */
    index_ready?: boolean;
}

export type GuestListStatus = '' | 'active' | 'deactivated' | 'expiring';
export type GuestListSort = 'last_activity' | 'expires_at' | 'username';

export interface ListGuestsParams {
    query?: string;
    status?: GuestListStatus;
    sort?: GuestListSort;
    page?: number;
    per_page?: number;
}

export interface CreateGuestRequest {
    email: string;
    username: string;
    first_name?: string;
    last_name?: string;
    nickname?: string;
    position?: string;
    status_message?: string;
    password?: string;
    random_password?: boolean;
    require_password_change?: boolean;
    channel_ids?: string[];
    send_welcome_email?: boolean;
    expires_at?: number;
    single_channel?: boolean;
}

export interface PatchGuestRequest {
    expires_at?: number;
    single_channel?: boolean;
    restrictions?: RestrictionOverrides;
    add_channel_ids?: string[];
    remove_channel_ids?: string[];

    /** true/false overrides the MFA settings for the guest; null follows them again. */
    require_mfa?: boolean | null;
}

export type RuleWarning = 'domain_not_allowed' | 'guest_accounts_off';

/** An existing account the automatic guest rules would make a guest. */
export interface RuleCandidate {
    user_id: string;
    username: string;
    email: string;
    sign_in_method: string;
    rule: Exclude<GuestRule, ''>;
    warnings: RuleWarning[];
}

/** The dry run of "apply the rules to existing accounts". */
export interface RulesPreview {
    enabled: boolean;
    member_email_domains: string[];
    guest_sign_in_methods: string[];
    scanned: number;
    total: number;
    truncated: boolean;
    candidates: RuleCandidate[];
}

/** The most user ids one POST /rules/apply accepts. */
export const RULES_APPLY_MAX = 500;

export interface ApplyRulesRequest {
    user_ids: string[];
    keep_channels: boolean;
}

export type ApplyRulesStatus = 'converted' | 'not_matched' | 'exempt' | 'failed';

export interface ApplyRulesResult {
    user_id: string;
    status: ApplyRulesStatus;
    reason?: string;
    message?: string;
    guest?: Guest;
}

export interface ChannelGuests {
    channel_id: string;
    guest_count: number;
    guests: Array<{user_id: string; username: string}>;
}

export interface AuditEntry {
    id: string;
    at: number;
    actor_id: string;
    action: string;
    target_id: string;
    result: string;
    details?: string;
}

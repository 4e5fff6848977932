// The plugin's own REST API (docs/api.md): what its endpoints take and answer.
// Core types come from @mattermost/types; nothing here copies them. The
// per-guest settings and restrictions are defined once, in server/policy;
// `make apply` writes their types into ../generated/guest_fields.
import type {GuestFieldPatch, GuestFieldValues} from '../generated/guest_fields';

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

export type {GuestFieldPatch, GuestFieldValues, RestrictionKey, RestrictionOverrides, Restrictions} from '../generated/guest_fields';
export {RESTRICTION_KEYS} from '../generated/guest_fields';

export type GuestStatus = 'active' | 'deactivated';
export type DeactivatedReason = '' | 'admin' | 'switch' | 'plugin_disabled' | 'expired' | 'domain' | 'cap';

/** The automatic guest rule that made an account a guest ('' = none: invited or made by hand). */
export type GuestRule = '' | 'member_domains' | 'sign_in_method';

/** A guest as the API shows them; the per-guest settings are generated. */
export interface Guest extends GuestFieldValues {
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
    last_activity_at: number;
    channel_ids: string[];

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

/** PATCH /guests/{id}: the per-guest settings (generated), and channels to add or remove. */
export interface PatchGuestRequest extends GuestFieldPatch {
    add_channel_ids?: string[];
    remove_channel_ids?: string[];
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

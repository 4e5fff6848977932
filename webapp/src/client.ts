// Typed REST client for the plugin's API (docs/api.md) and the few core
// Mattermost endpoints the webapp needs. Every request carries the session
// cookie, `X-Requested-With` and the CSRF token core checks before the plugin
// sees the request. Failures are thrown as ClientError.
import type {Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import type {GuestFieldPatch, GuestFieldValues} from './generated/guest_fields';
import {id as pluginId} from './manifest';

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

export type {GuestFieldPatch, GuestFieldValues, RestrictionKey, RestrictionOverrides, Restrictions} from './generated/guest_fields';
export {RESTRICTION_KEYS} from './generated/guest_fields';

export type GuestStatus = 'active' | 'deactivated';
export type DeactivatedReason = '' | 'admin' | 'switch' | 'plugin_disabled' | 'expired' | 'domain' | 'cap';

/** The automatic guest rule that made an account a guest ('' = none: invited or made by hand). */
export type GuestRule = '' | 'member_domains' | 'sign_in_method';

/** A guest as the API shows them; the per-guest settings come from server/policy (generated). */
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

/** An API failure: HTTP status plus the server's error id and message. */
export class ClientError extends Error {
    readonly status: number;
    readonly errorId: string;

    constructor(status: number, errorId: string, message: string) {
        super(message);
        this.name = 'ClientError';
        this.status = status;
        this.errorId = errorId;
    }
}

/** Status 0 means the request never reached the server. */
export const NETWORK_ERROR_ID = 'guest_accounts.client.network';

function readCookie(name: string): string {
    if (typeof document === 'undefined') {
        return '';
    }
    for (const part of document.cookie.split(';')) {
        const [key, ...rest] = part.trim().split('=');
        if (key === name) {
            return decodeURIComponent(rest.join('='));
        }
    }
    return '';
}

function query(params: Record<string, string | number | undefined>): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
        if (value !== undefined && value !== '') {
            search.set(key, String(value));
        }
    }
    const text = search.toString();
    return text ? `?${text}` : '';
}

const enc = encodeURIComponent;

/** The plugin's REST client. `siteURL` is read on every request so a late config still applies. */
export class Client {
    private readonly siteURL: () => string;

    constructor(siteURL: string | (() => string)) {
        this.siteURL = typeof siteURL === 'function' ? siteURL : () => siteURL;
    }

    /** The plugin API base, e.g. https://chat.example.com/plugins/guest-accounts/api/v1. */
    get pluginBase(): string {
        return `${this.siteURL().replace(/\/+$/, '')}/plugins/${pluginId}/api/v1`;
    }

    get coreBase(): string {
        return `${this.siteURL().replace(/\/+$/, '')}/api/v4`;
    }

    // ---- plugin API -------------------------------------------------------

    getMe(): Promise<Me> {
        return this.plugin('GET', '/me');
    }

    async lookupGuests(userIds: string[]): Promise<string[]> {
        const res = await this.plugin<{guest_ids: string[] | null}>('POST', '/guests/lookup', {user_ids: userIds});
        return res.guest_ids ?? [];
    }

    getStats(): Promise<Stats> {
        return this.plugin('GET', '/stats');
    }

    async createInvites(req: CreateInvitesRequest): Promise<InviteResult[]> {
        const res = await this.plugin<{results: InviteResult[] | null}>('POST', '/invites', req);
        return res.results ?? [];
    }

    async listInvites(status: InviteStatus = 'pending'): Promise<Invite[]> {
        const res = await this.plugin<{invites: Invite[] | null}>('GET', `/invites${query({status})}`);
        return res.invites ?? [];
    }

    resendInvite(inviteId: string): Promise<Invite> {
        return this.plugin('POST', `/invites/${enc(inviteId)}/resend`);
    }

    revokeInvite(inviteId: string): Promise<Invite> {
        return this.plugin('DELETE', `/invites/${enc(inviteId)}`);
    }

    async listGuests(params: ListGuestsParams = {}): Promise<{guests: Guest[]; total: number}> {
        const res = await this.plugin<{guests: Guest[] | null; total: number}>('GET', `/guests${query({...params})}`);
        return {guests: res.guests ?? [], total: res.total ?? 0};
    }

    createGuest(req: CreateGuestRequest): Promise<Guest> {
        return this.plugin('POST', '/guests', req);
    }

    getGuest(userId: string): Promise<Guest> {
        return this.plugin('GET', `/guests/${enc(userId)}`);
    }

    patchGuest(userId: string, patch: PatchGuestRequest): Promise<Guest> {
        return this.plugin('PATCH', `/guests/${enc(userId)}`, patch);
    }

    promoteGuest(userId: string): Promise<{user_id: string; status: 'promoted'}> {
        return this.plugin('POST', `/guests/${enc(userId)}/promote`);
    }

    deactivateGuest(userId: string): Promise<Guest> {
        return this.plugin('POST', `/guests/${enc(userId)}/deactivate`);
    }

    activateGuest(userId: string): Promise<Guest> {
        return this.plugin('POST', `/guests/${enc(userId)}/activate`);
    }

    demoteUser(userId: string, channelIds?: string[]): Promise<Guest> {
        return this.plugin('POST', `/users/${enc(userId)}/demote`, channelIds ? {channel_ids: channelIds} : {});
    }

    async previewRules(): Promise<RulesPreview> {
        const p = await this.plugin<RulesPreview>('GET', '/rules/preview');
        return {
            ...p,
            member_email_domains: p.member_email_domains ?? [],
            guest_sign_in_methods: p.guest_sign_in_methods ?? [],
            candidates: (p.candidates ?? []).map((c) => ({...c, warnings: c.warnings ?? []})),
        };
    }

    /** One request: at most RULES_APPLY_MAX ids (the caller batches). */
    async applyRules(req: ApplyRulesRequest): Promise<ApplyRulesResult[]> {
        const res = await this.plugin<{results: ApplyRulesResult[] | null}>('POST', '/rules/apply', req);
        return res.results ?? [];
    }

    getChannelGuests(channelId: string): Promise<ChannelGuests> {
        return this.plugin('GET', `/channels/${enc(channelId)}/guests`);
    }

    async getAudit(params: {since?: number; page?: number; per_page?: number} = {}): Promise<AuditEntry[]> {
        const res = await this.plugin<{entries: AuditEntry[] | null}>('GET', `/audit${query(params)}`);
        return res.entries ?? [];
    }

    // ---- core API ---------------------------------------------------------

    getMyTeams(): Promise<Team[]> {
        return this.core('GET', '/users/me/teams');
    }

    getMyChannelsInTeam(teamId: string): Promise<Channel[]> {
        return this.core('GET', `/users/me/teams/${enc(teamId)}/channels`);
    }

    /**
     * The user's own channels in a team whose name, display name or purpose
     * matches `term` (core's GET /teams/{id}/channels/search_autocomplete:
     * any signed-in user, member channels only, private ones included; up to
     * 50, possibly group messages or archived channels, which callers drop).
     * Core's /channels/autocomplete would also offer public channels the user
     * is not in, which an invitation may not name.
     */
    async searchMyChannelsInTeam(teamId: string, term: string): Promise<Channel[]> {
        const res = await this.core<Channel[] | null>('GET', `/teams/${enc(teamId)}/channels/search_autocomplete${query({name: term})}`);
        return res ?? [];
    }

    getUsersByIds(userIds: string[]): Promise<UserProfile[]> {
        if (userIds.length === 0) {
            return Promise.resolve([]);
        }
        return this.core('POST', '/users/ids', userIds);
    }

    getUser(userId: string): Promise<UserProfile> {
        return this.core('GET', `/users/${enc(userId)}`);
    }

    async logout(): Promise<void> {
        await this.core('POST', '/users/logout');
    }

    // ---- transport --------------------------------------------------------

    private plugin<T>(method: string, path: string, body?: unknown): Promise<T> {
        return this.request<T>(method, this.pluginBase + path, body);
    }

    private core<T>(method: string, path: string, body?: unknown): Promise<T> {
        return this.request<T>(method, this.coreBase + path, body);
    }

    private async request<T>(method: string, url: string, body?: unknown): Promise<T> {
        const headers: Record<string, string> = {
            Accept: 'application/json',
            'X-Requested-With': 'XMLHttpRequest',
        };
        const csrf = readCookie('MMCSRF');
        if (csrf) {
            headers['X-CSRF-Token'] = csrf;
        }
        const init: RequestInit = {method, headers, credentials: 'include'};
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(body);
        }

        let res: Response;
        try {
            res = await fetch(url, init);
        } catch (err) {
            throw new ClientError(0, NETWORK_ERROR_ID, err instanceof Error ? err.message : String(err));
        }

        const text = await res.text();
        let data: unknown = null;
        if (text) {
            try {
                data = JSON.parse(text);
            } catch {
                data = null;
            }
        }

        if (!res.ok) {
            const obj = (data && typeof data === 'object' ? data : {}) as {error_id?: unknown; id?: unknown; message?: unknown};
            // The plugin sends error_id; core's AppError sends id.
            const errorId = typeof obj.error_id === 'string' ? obj.error_id : (typeof obj.id === 'string' ? obj.id : '');
            const message = typeof obj.message === 'string' && obj.message ? obj.message : `HTTP ${res.status}`;
            throw new ClientError(res.status, errorId, message);
        }
        return data as T;
    }
}

// The plugin's REST API (docs/api.md), called through the client's Client4:
// its site URL, session cookie, X-Requested-With and CSRF header (Client4.
// getOptions), so the plugin handles none of that itself. Core endpoints are
// not called from here: components use mattermost-redux actions, which put
// what they fetch into the client's store. Failures are @mattermost/client
// ClientErrors, for core and plugin requests alike.
import {ClientError} from '@mattermost/client';
import {Client4} from 'mattermost-redux/client';

import {id as pluginId} from './manifest';
import type {
    ApplyRulesRequest, ApplyRulesResult, AuditEntry, ChannelGuests, CreateGuestRequest, CreateInvitesRequest, Guest,
    Invite, InviteResult, InviteStatus, ListGuestsParams, Me, PatchGuestRequest, RulesPreview, Stats,
} from './types/api';

export {ClientError};

/** The server_error_id of a request that never reached the server. */
export const NETWORK_ERROR_ID = 'guest_accounts.client.network';

/** The plugin API base, e.g. https://chat.example.com/plugins/guest-accounts/api/v1. */
export function pluginRoute(): string {
    return `${Client4.getUrl()}/plugins/${pluginId}/api/v1`;
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

/**
 * One request to the plugin API. The plugin answers errors as
 * {error_id, message}; core (which may answer first, e.g. 401) as
 * {id, message}: both become a ClientError with server_error_id and status.
 */
async function doFetch<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = pluginRoute() + path;
    const options = Client4.getOptions({method, body: body === undefined ? undefined : JSON.stringify(body)});
    let response: Response;
    try {
        response = await fetch(url, options);
    } catch (err) {
        throw new ClientError(Client4.getUrl(), {message: err instanceof Error ? err.message : String(err), server_error_id: NETWORK_ERROR_ID, status_code: 0, url}, err);
    }
    const text = await response.text();
    let data: unknown;
    try {
        data = text ? JSON.parse(text) : null;
    } catch {
        data = null; // an HTML error page from a proxy, say
    }
    if (!response.ok) {
        const obj = (data && typeof data === 'object' ? data : {}) as {error_id?: unknown; id?: unknown; message?: unknown};
        const errorId = typeof obj.error_id === 'string' ? obj.error_id : (typeof obj.id === 'string' ? obj.id : undefined);
        const message = typeof obj.message === 'string' && obj.message ? obj.message : `HTTP ${response.status}`;
        throw new ClientError(Client4.getUrl(), {message, server_error_id: errorId, status_code: response.status, url});
    }
    return data as T;
}

/** The plugin's endpoints, one function each. */
export const Client = {
    getMe: () => doFetch<Me>('GET', '/me'),

    lookupGuests: async (userIds: string[]): Promise<string[]> => {
        const res = await doFetch<{guest_ids: string[] | null}>('POST', '/guests/lookup', {user_ids: userIds});
        return res.guest_ids ?? [];
    },

    getStats: () => doFetch<Stats>('GET', '/stats'),

    createInvites: async (req: CreateInvitesRequest): Promise<InviteResult[]> => {
        const res = await doFetch<{results: InviteResult[] | null}>('POST', '/invites', req);
        return res.results ?? [];
    },

    /** One page of invitations, newest first, and how many match. */
    listInvites: async (params: {status?: InviteStatus; query?: string; page?: number; per_page?: number} = {status: 'pending'}): Promise<{invites: Invite[]; total: number}> => {
        const res = await doFetch<{invites: Invite[] | null; total?: number}>('GET', `/invites${query(params)}`);
        return {invites: res.invites ?? [], total: res.total ?? 0};
    },

    resendInvite: (inviteId: string) => doFetch<Invite>('POST', `/invites/${enc(inviteId)}/resend`),
    revokeInvite: (inviteId: string) => doFetch<Invite>('DELETE', `/invites/${enc(inviteId)}`),

    listGuests: async (params: ListGuestsParams = {}): Promise<{guests: Guest[]; total: number; total_capped: boolean}> => {
        const res = await doFetch<{guests: Guest[] | null; total: number; total_capped?: boolean}>('GET', `/guests${query({...params})}`);
        return {guests: res.guests ?? [], total: res.total ?? 0, total_capped: Boolean(res.total_capped)};
    },

    createGuest: (req: CreateGuestRequest) => doFetch<Guest>('POST', '/guests', req),
    getGuest: (userId: string) => doFetch<Guest>('GET', `/guests/${enc(userId)}`),
    patchGuest: (userId: string, patch: PatchGuestRequest) => doFetch<Guest>('PATCH', `/guests/${enc(userId)}`, patch),
    promoteGuest: (userId: string) => doFetch<{user_id: string; status: 'promoted'}>('POST', `/guests/${enc(userId)}/promote`),
    deactivateGuest: (userId: string) => doFetch<Guest>('POST', `/guests/${enc(userId)}/deactivate`),
    activateGuest: (userId: string) => doFetch<Guest>('POST', `/guests/${enc(userId)}/activate`),

    /** Makes a member a guest; without channelIds they keep their current channels. */
    demoteUser: (userId: string, channelIds?: string[]) => doFetch<Guest>('POST', `/users/${enc(userId)}/demote`, channelIds ? {channel_ids: channelIds} : {}),

    previewRules: async (): Promise<RulesPreview> => {
        const p = await doFetch<RulesPreview>('GET', '/rules/preview');
        return {
            ...p,
            member_email_domains: p.member_email_domains ?? [],
            guest_sign_in_methods: p.guest_sign_in_methods ?? [],
            candidates: (p.candidates ?? []).map((c) => ({...c, warnings: c.warnings ?? []})),
        };
    },

    /** One request: at most RULES_APPLY_MAX ids (the caller batches). */
    applyRules: async (req: ApplyRulesRequest): Promise<ApplyRulesResult[]> => {
        const res = await doFetch<{results: ApplyRulesResult[] | null}>('POST', '/rules/apply', req);
        return res.results ?? [];
    },

    getChannelGuests: (channelId: string) => doFetch<ChannelGuests>('GET', `/channels/${enc(channelId)}/guests`),

    /** One page of the audit log (newest first by default) and how many entries match. */
    getAudit: async (params: {since?: number; query?: string; sort?: 'newest' | 'oldest'; page?: number; per_page?: number} = {}): Promise<{entries: AuditEntry[]; total: number; total_capped: boolean}> => {
        const res = await doFetch<{entries: AuditEntry[] | null; total?: number; total_capped?: boolean}>('GET', `/audit${query(params)}`);
        return {entries: res.entries ?? [], total: res.total ?? 0, total_capped: Boolean(res.total_capped)};
    },
};

export type PluginClient = typeof Client;

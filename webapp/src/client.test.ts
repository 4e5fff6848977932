import {API, SITE, mockFetch} from '../tests/helpers';

import {Client4} from 'mattermost-redux/client';

import {Client, ClientError, NETWORK_ERROR_ID} from './client';

describe('Client (the plugin API through Client4)', () => {
    beforeEach(() => Client4.setUrl(SITE));

    it('sends what Client4 sends: X-Requested-With, the CSRF token from the MMCSRF cookie, credentials', async () => {
        document.cookie = 'MMCSRF=tok-en';
        const http = mockFetch({[`POST ${API}/invites`]: {body: {results: []}}});
        await Client.createInvites({emails: ['a@example.com'], channel_ids: ['c1']});
        const [req] = http.calls;
        expect(req.headers['X-Requested-With']).toBe('XMLHttpRequest');
        expect(req.headers['X-CSRF-Token']).toBe('tok-en');
        expect(req.headers['Content-Type']).toBe('application/json');
        expect(req.credentials).toBe('include');
        expect(req.body).toEqual({emails: ['a@example.com'], channel_ids: ['c1']});
    });

    it('sends no CSRF header on GET', async () => {
        document.cookie = 'MMCSRF=tok-en';
        const http = mockFetch({[`GET ${API}/me`]: {body: {user_id: 'u'}}});
        await Client.getMe();
        expect(http.calls[0].headers['X-CSRF-Token']).toBeUndefined();
    });

    it('follows the site URL Client4 has', async () => {
        Client4.setUrl('http://chat.example.com/sub');
        const http = mockFetch({'GET /sub/plugins/guest-accounts/api/v1/stats': {body: {}}});
        await Client.getStats();
        expect(http.calls).toHaveLength(1);
    });

    it('throws a ClientError with status, error id and message from the body', async () => {
        mockFetch({[`GET ${API}/stats`]: {status: 403, body: {error_id: 'guest_accounts.api.forbidden', message: 'System admins only'}}});
        const err = await Client.getStats().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ClientError);
        expect(err).toMatchObject({status_code: 403, server_error_id: 'guest_accounts.api.forbidden', message: 'System admins only'});
    });

    it('reads core AppError ids and survives bodies that are not JSON', async () => {
        mockFetch({[`GET ${API}/me`]: {status: 401, body: {id: 'api.context.session_expired.app_error', message: 'Invalid session'}}});
        await expect(Client.getMe()).rejects.toMatchObject({status_code: 401, server_error_id: 'api.context.session_expired.app_error'});

        globalThis.fetch = jest.fn(async () => ({ok: false, status: 502, text: async () => '<html>bad gateway</html>'})) as unknown as typeof fetch;
        await expect(Client.getMe()).rejects.toMatchObject({status_code: 502, server_error_id: undefined, message: 'HTTP 502'});
    });

    it('turns network failures into status 0', async () => {
        globalThis.fetch = jest.fn(async () => {
            throw new TypeError('Failed to fetch');
        }) as unknown as typeof fetch;
        await expect(Client.getMe()).rejects.toMatchObject({status_code: 0, server_error_id: NETWORK_ERROR_ID});
    });

    it.each([
        ['getMe', () => Client.getMe(), 'GET', `${API}/me`, undefined],
        ['lookupGuests', () => Client.lookupGuests(['a', 'b']), 'POST', `${API}/guests/lookup`, {user_ids: ['a', 'b']}],
        ['getStats', () => Client.getStats(), 'GET', `${API}/stats`, undefined],
        ['listInvites', () => Client.listInvites(), 'GET', `${API}/invites`, undefined],
        ['resendInvite', () => Client.resendInvite('i/1'), 'POST', `${API}/invites/i%2F1/resend`, undefined],
        ['revokeInvite', () => Client.revokeInvite('i1'), 'DELETE', `${API}/invites/i1`, undefined],
        ['listGuests', () => Client.listGuests({query: 'bo b', status: 'active'}), 'GET', `${API}/guests`, undefined],
        ['createGuest', () => Client.createGuest({email: 'g@x.org', username: 'g'}), 'POST', `${API}/guests`, {email: 'g@x.org', username: 'g'}],
        ['getGuest', () => Client.getGuest('u1'), 'GET', `${API}/guests/u1`, undefined],
        ['patchGuest', () => Client.patchGuest('u1', {expires_at: 5}), 'PATCH', `${API}/guests/u1`, {expires_at: 5}],
        ['promoteGuest', () => Client.promoteGuest('u1'), 'POST', `${API}/guests/u1/promote`, undefined],
        ['deactivateGuest', () => Client.deactivateGuest('u1'), 'POST', `${API}/guests/u1/deactivate`, undefined],
        ['activateGuest', () => Client.activateGuest('u1'), 'POST', `${API}/guests/u1/activate`, undefined],
        ['demoteUser', () => Client.demoteUser('u1', ['c1']), 'POST', `${API}/users/u1/demote`, {channel_ids: ['c1']}],
        ['demoteUser keeping channels', () => Client.demoteUser('u1'), 'POST', `${API}/users/u1/demote`, {}],
        ['previewRules', () => Client.previewRules(), 'GET', `${API}/rules/preview`, undefined],
        ['applyRules', () => Client.applyRules({user_ids: ['u1'], keep_channels: true}), 'POST', `${API}/rules/apply`, {user_ids: ['u1'], keep_channels: true}],
        ['getChannelGuests', () => Client.getChannelGuests('c1'), 'GET', `${API}/channels/c1/guests`, undefined],
        ['getAudit', () => Client.getAudit({page: 1}), 'GET', `${API}/audit`, undefined],
    ])('%s calls %s %s', async (_name, call, method, path, body) => {
        const http = mockFetch({[`${method} ${path}`]: {body: {}}});
        await call();
        expect(http.calls).toHaveLength(1);
        expect(http.calls[0].method).toBe(method);
        expect(http.calls[0].path).toBe(path);
        expect(http.calls[0].body).toEqual(body);
    });

    it('passes list filters as query parameters and fills empty lists', async () => {
        const http = mockFetch({
            [`GET ${API}/guests`]: {body: {guests: null, total: 0}},
            [`GET ${API}/invites`]: {body: {invites: null}},
            [`GET ${API}/audit`]: {body: {entries: null}},
            [`POST ${API}/guests/lookup`]: {body: {guest_ids: null}},
            [`GET ${API}/rules/preview`]: {body: {enabled: true, candidates: [{user_id: 'u', warnings: null}]}},
        });
        expect(await Client.listGuests({query: 'bo b', status: 'active', page: 0})).toEqual({guests: [], total: 0, total_capped: false});
        expect(http.calls[0].query.get('query')).toBe('bo b');
        expect(http.calls[0].query.get('status')).toBe('active');
        expect(http.calls[0].query.get('page')).toBe('0');
        expect(await Client.listInvites()).toEqual({invites: [], total: 0});
        expect(http.calls[1].query.get('status')).toBe('pending');
        expect(await Client.getAudit()).toEqual({entries: [], total: 0, total_capped: false});
        expect(await Client.lookupGuests(['x'])).toEqual([]);
        const preview = await Client.previewRules();
        expect(preview.candidates[0].warnings).toEqual([]);
        expect(preview.member_email_domains).toEqual([]);
    });
});

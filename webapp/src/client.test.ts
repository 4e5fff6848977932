import {API, SITE, mockFetch} from '../tests/helpers';

import {Client, ClientError, NETWORK_ERROR_ID} from './client';

describe('Client', () => {
    const client = new Client(`${SITE}/`);

    it('sends the session headers, the CSRF token from the MMCSRF cookie and credentials', async () => {
        document.cookie = 'MMCSRF=tok%2Ben';
        const http = mockFetch({[`POST ${API}/invites`]: {body: {results: []}}});
        await client.createInvites({emails: ['a@example.com'], channel_ids: ['c1']});
        const [req] = http.calls;
        expect(req.headers['X-Requested-With']).toBe('XMLHttpRequest');
        expect(req.headers['X-CSRF-Token']).toBe('tok+en');
        expect(req.headers['Content-Type']).toBe('application/json');
        expect(req.credentials).toBe('include');
        expect(req.body).toEqual({emails: ['a@example.com'], channel_ids: ['c1']});
    });

    it('omits the CSRF header when there is no cookie', async () => {
        const http = mockFetch({[`GET ${API}/me`]: {body: {user_id: 'u'}}});
        await client.getMe();
        expect(http.calls[0].headers['X-CSRF-Token']).toBeUndefined();
    });

    it('throws ClientError with status, error_id and message from the body', async () => {
        mockFetch({[`GET ${API}/stats`]: {status: 403, body: {error_id: 'guest_accounts.api.forbidden', message: 'System admins only'}}});
        const err = await client.getStats().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ClientError);
        expect(err).toMatchObject({status: 403, errorId: 'guest_accounts.api.forbidden', message: 'System admins only'});
    });

    it('reads core AppError ids and survives bodies that are not JSON', async () => {
        mockFetch({
            'GET /api/v4/users/me/teams': {status: 401, body: {id: 'api.context.session_expired.app_error', message: 'Invalid session'}},
        });
        await expect(client.getMyTeams()).rejects.toMatchObject({status: 401, errorId: 'api.context.session_expired.app_error'});

        globalThis.fetch = jest.fn(async () => ({ok: false, status: 502, text: async () => '<html>bad gateway</html>'})) as unknown as typeof fetch;
        await expect(client.getMe()).rejects.toMatchObject({status: 502, errorId: '', message: 'HTTP 502'});
    });

    it('turns network failures into status 0', async () => {
        globalThis.fetch = jest.fn(async () => {
            throw new TypeError('Failed to fetch');
        }) as unknown as typeof fetch;
        await expect(client.getMe()).rejects.toMatchObject({status: 0, errorId: NETWORK_ERROR_ID});
    });

    it.each([
        ['getMe', () => client.getMe(), 'GET', `${API}/me`, undefined],
        ['lookupGuests', () => client.lookupGuests(['a', 'b']), 'POST', `${API}/guests/lookup`, {user_ids: ['a', 'b']}],
        ['getStats', () => client.getStats(), 'GET', `${API}/stats`, undefined],
        ['listInvites', () => client.listInvites(), 'GET', `${API}/invites`, undefined],
        ['resendInvite', () => client.resendInvite('i/1'), 'POST', `${API}/invites/i%2F1/resend`, undefined],
        ['revokeInvite', () => client.revokeInvite('i1'), 'DELETE', `${API}/invites/i1`, undefined],
        ['listGuests', () => client.listGuests({query: 'bo b', status: 'active'}), 'GET', `${API}/guests`, undefined],
        ['createGuest', () => client.createGuest({email: 'g@x.org', username: 'g'}), 'POST', `${API}/guests`, {email: 'g@x.org', username: 'g'}],
        ['getGuest', () => client.getGuest('u1'), 'GET', `${API}/guests/u1`, undefined],
        ['patchGuest', () => client.patchGuest('u1', {expires_at: 5}), 'PATCH', `${API}/guests/u1`, {expires_at: 5}],
        ['promoteGuest', () => client.promoteGuest('u1'), 'POST', `${API}/guests/u1/promote`, undefined],
        ['deactivateGuest', () => client.deactivateGuest('u1'), 'POST', `${API}/guests/u1/deactivate`, undefined],
        ['activateGuest', () => client.activateGuest('u1'), 'POST', `${API}/guests/u1/activate`, undefined],
        ['demoteUser', () => client.demoteUser('u1', ['c1']), 'POST', `${API}/users/u1/demote`, {channel_ids: ['c1']}],
        ['previewRules', () => client.previewRules(), 'GET', `${API}/rules/preview`, undefined],
        ['applyRules', () => client.applyRules({user_ids: ['u1'], keep_channels: false}), 'POST', `${API}/rules/apply`, {user_ids: ['u1'], keep_channels: false}],
        ['getChannelGuests', () => client.getChannelGuests('c1'), 'GET', `${API}/channels/c1/guests`, undefined],
        ['getAudit', () => client.getAudit({per_page: 20}), 'GET', `${API}/audit`, undefined],
        ['getMyTeams', () => client.getMyTeams(), 'GET', '/api/v4/users/me/teams', undefined],
        ['getMyChannelsInTeam', () => client.getMyChannelsInTeam('t1'), 'GET', '/api/v4/users/me/teams/t1/channels', undefined],
        ['searchMyChannelsInTeam', () => client.searchMyChannelsInTeam('t1', 'pro'), 'GET', '/api/v4/teams/t1/channels/search_autocomplete', undefined],
        ['getUsersByIds', () => client.getUsersByIds(['u1']), 'POST', '/api/v4/users/ids', ['u1']],
        ['getUser', () => client.getUser('u1'), 'GET', '/api/v4/users/u1', undefined],
        ['logout', () => client.logout(), 'POST', '/api/v4/users/logout', undefined],
    ])('%s calls %s %s', async (_name, call, method, path, body) => {
        const http = mockFetch({[`${method} ${path}`]: {body: {}}});
        await call();
        expect(http.calls).toHaveLength(1);
        expect(http.calls[0].method).toBe(method);
        expect(http.calls[0].path).toBe(path);
        expect(http.calls[0].body).toEqual(body);
    });

    it('puts list parameters in the query string, leaving out empty ones', async () => {
        const http = mockFetch({[`GET ${API}/guests`]: {body: {guests: null, total: 0}}});
        const res = await client.listGuests({query: 'bo b', status: '', sort: 'username', page: 2, per_page: 50});
        expect(res).toEqual({guests: [], total: 0});
        expect(Object.fromEntries(http.calls[0].query)).toEqual({query: 'bo b', sort: 'username', page: '2', per_page: '50'});
    });

    it('searches the user\'s channels by name and reads a null answer as no channels', async () => {
        const http = mockFetch({'GET /api/v4/teams/t%2F1/channels/search_autocomplete': {body: null}});
        await expect(client.searchMyChannelsInTeam('t/1', 'town sq')).resolves.toEqual([]);
        expect(http.calls[0].query.get('name')).toBe('town sq');
    });

    it('fills absent lists in the rules preview and apply answers', async () => {
        mockFetch({
            [`GET ${API}/rules/preview`]: {body: {enabled: false, member_email_domains: null, guest_sign_in_methods: null, scanned: 0, total: 0, truncated: false, candidates: [{user_id: 'u1', warnings: null}]}},
            [`POST ${API}/rules/apply`]: {body: {results: null}},
        });
        const p = await client.previewRules();
        expect(p.member_email_domains).toEqual([]);
        expect(p.guest_sign_in_methods).toEqual([]);
        expect(p.candidates[0].warnings).toEqual([]);
        await expect(client.applyRules({user_ids: ['u1'], keep_channels: true})).resolves.toEqual([]);
    });

    it('reads the site URL on every request', async () => {
        let site = 'http://one.test';
        const late = new Client(() => site);
        const http = mockFetch({[`GET ${API}/me`]: {body: {}}});
        await late.getMe();
        site = 'http://two.test';
        await late.getMe();
        expect(http.fn.mock.calls.map((c) => String(c[0]))).toEqual([`http://one.test${API}/me`, `http://two.test${API}/me`]);
    });
});

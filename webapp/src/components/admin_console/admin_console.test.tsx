import {screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {API, mockFetch, renderWithPlugin} from '../../../tests/helpers';
import type {Handler} from '../../../tests/helpers';

import {GuestDashboard} from '.';

const noOverrides = {upload_files: null, download_files: null, edit_own_posts: null, react: null, create_private_channels: null, direct_messages: null};

const allAllowed = {upload_files: true, download_files: true, edit_own_posts: true, react: true, create_private_channels: false, direct_messages: true};

const guest = (id: string, username: string, over: Record<string, unknown> = {}) => ({
    user_id: id, username, email: `${username}@example.com`, first_name: username[0].toUpperCase() + username.slice(1), last_name: 'Guest',
    nickname: '', position: '', status: 'active', deactivated_reason: '', invited_by: 'admin1',
    created_at: Date.UTC(2025, 0, 1), expires_at: 0, last_activity_at: Date.UTC(2025, 5, 1),
    single_channel: false, channel_ids: ['c1', 'c2'], restrictions: allAllowed, restriction_overrides: {} as Record<string, boolean | null>,
    require_mfa: false, require_mfa_override: null as boolean | null, mfa_active: false, rule: '', reminder_sent_at: 0,
    ...over,
});

const stats = {
    active_guests: 8, deactivated_guests: 2, pending_invitations: 1, max_active_guests: 10, max_channels_per_guest: 5,
    guest_accounts_enabled: true, edition: 'unlicensed',
    // What server/app/stats.go sends on an unlicensed server.
    edition_limits: [
        {capability: 'list_users', enforced: false, note: 'Guests can list the user directory (GET /users); core offers no hook to filter it on this edition.'},
        {capability: 'create_direct_channel', enforced: false, note: 'Guests can create a direct message channel with anyone; posting in it is refused unless they share a channel.'},
    ],
};

const invite = {
    id: 'inv1', email: 'new@example.com', channel_ids: ['c1'], team_ids: ['t1'], inviter_id: 'admin1', message: '',
    created_at: Date.UTC(2025, 5, 1), expires_at: Date.UTC(2025, 5, 3), guest_expires_at: 0, single_channel: false, status: 'pending',
};

/** The server's guests; handlers that change a guest store it here, as the server would. */
let db: Array<ReturnType<typeof guest>> = [];
const save = (g: ReturnType<typeof guest>) => {
    db = db.map((x) => (x.user_id === g.user_id ? g : x));
    return g;
};

const usernames: Record<string, string> = {admin1: 'alice', g1: 'bob', g2: 'carol'};

function routes(extra: Record<string, Handler> = {}) {
    db = [guest('g1', 'bob'), guest('g2', 'carol', {status: 'deactivated', deactivated_reason: 'expired'})];
    return mockFetch({
        [`GET ${API}/stats`]: {body: stats},
        [`GET ${API}/guests`]: (req) => {
            const all = db;
            const q = req.query.get('query') ?? '';
            const status = req.query.get('status') ?? '';
            const guests = all.filter((g) => g.username.includes(q) && (!status || g.status === status));
            return {body: {guests, total: guests.length}};
        },
        [`GET ${API}/invites`]: {body: {invites: [invite]}},
        [`GET ${API}/audit`]: {body: {entries: [
            {id: 'a1', at: Date.UTC(2025, 5, 2), actor_id: 'admin1', action: 'deactivate', target_id: 'g2', result: 'success', details: 'admin'},
            {id: 'a2', at: Date.UTC(2025, 5, 1), actor_id: '', action: 'switch_off', target_id: '', result: 'success', details: 'switch'},
        ]}},
        // Core answers with the users it has; other ids (emails, channel ids in audit targets) are left out.
        'POST /api/v4/users/ids': (req) => ({body: (req.body as string[]).filter((id) => id in usernames).map((id) => ({id, username: usernames[id]}))}),
        ...extra,
    });
}

async function renderDashboard() {
    const user = userEvent.setup({delay: null});
    const view = renderWithPlugin(<GuestDashboard/>);
    await screen.findAllByTestId('guest-row');
    await screen.findByTestId('invite-row');
    await screen.findAllByTestId('audit-row');
    return {...view, user};
}

const rowOf = (username: string) => screen.getAllByTestId('guest-row').find((r) => r.textContent?.includes(`@${username}`))!;

describe('GuestDashboard', () => {
    it('shows the counts against the caps and the edition limits', async () => {
        routes();
        await renderDashboard();
        expect(screen.getByText('8 of 10')).toBeInTheDocument();
        const meter = screen.getByRole('meter', {name: 'Active guests'});
        expect(meter).toHaveAttribute('aria-valuenow', '8');
        expect(meter).toHaveAttribute('aria-valuemax', '10');
        expect(meter).toHaveClass('ga-meter__bar--high');
        expect(screen.getByText('Each guest may be in at most 5 channels.')).toBeInTheDocument();
        const limits = screen.getByRole('region', {name: 'Edition limits'});
        expect(within(limits).getAllByTestId('edition-limit').map((r) => r.textContent)).toEqual([
            'Guests see only the people they share a channel with in the user directory.NoGuests can list the user directory (GET /users); core offers no hook to filter it on this edition.',
            'Guests can open direct messages only with people they share a channel with.NoGuests can create a direct message channel with anyone; posting in it is refused unless they share a channel.',
        ]);
        expect(within(limits).queryByText('list_users')).not.toBeInTheDocument();
    });

    it('searches as you type, filters by status and sorts', async () => {
        const http = routes();
        const {user} = await renderDashboard();
        expect(screen.getAllByTestId('guest-row')).toHaveLength(2);
        expect(rowOf('carol')).toHaveTextContent('Deactivatedaccount expired');

        await user.type(screen.getByLabelText('Search'), 'bo');
        await waitFor(() => expect(screen.getAllByTestId('guest-row')).toHaveLength(1));
        expect(http.to('GET', `${API}/guests`).at(-1)?.query.get('query')).toBe('bo');

        await user.selectOptions(screen.getByLabelText('Status'), 'deactivated');
        await waitFor(() => expect(screen.getByText('No guest matches.')).toBeInTheDocument());
        await user.selectOptions(screen.getByLabelText('Sort by'), 'expires_at');
        await waitFor(() => expect(http.to('GET', `${API}/guests`).at(-1)?.query.get('sort')).toBe('expires_at'));
        expect(Object.fromEntries(http.to('GET', `${API}/guests`).at(-1)!.query)).toEqual({
            query: 'bo', status: 'deactivated', sort: 'expires_at', page: '0', per_page: '50',
        });
    });

    it('deactivates after confirmation and updates the row and the counts', async () => {
        const http = routes({[`POST ${API}/guests/g1/deactivate`]: () => ({body: save(guest('g1', 'bob', {status: 'deactivated', deactivated_reason: 'admin'}))})});
        const {user} = await renderDashboard();
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Deactivate'}));
        expect(http.to('POST', `${API}/guests/g1/deactivate`)).toHaveLength(0);
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Confirm'}));
        await waitFor(() => expect(rowOf('bob')).toHaveTextContent('Deactivatedby an administrator'));
        expect(http.to('POST', `${API}/guests/g1/deactivate`)).toHaveLength(1);
        await waitFor(() => expect(http.to('GET', `${API}/stats`).length).toBeGreaterThan(1));
    });

    it('activates and promotes; promotion removes the guest from the list', async () => {
        const http = routes({
            [`POST ${API}/guests/g2/activate`]: () => ({body: save(guest('g2', 'carol'))}),
            [`POST ${API}/guests/g1/promote`]: () => {
                db = db.filter((g) => g.user_id !== 'g1');
                return {body: {user_id: 'g1', status: 'promoted'}};
            },
        });
        const {user} = await renderDashboard();
        await user.click(within(rowOf('carol')).getByRole('button', {name: 'Activate'}));
        await waitFor(() => expect(rowOf('carol')).toHaveTextContent('Active'));
        expect(http.to('POST', `${API}/guests/g2/activate`)).toHaveLength(1);

        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Promote to member'}));
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Confirm'}));
        await waitFor(() => expect(screen.getAllByTestId('guest-row')).toHaveLength(1));
        expect(rowOf('bob')).toBeUndefined();
        expect(http.to('POST', `${API}/guests/g1/promote`)).toHaveLength(1);
    });

    it('sets an expiry date and changes restrictions', async () => {
        const patched: unknown[] = [];
        routes({
            [`PATCH ${API}/guests/g1`]: (req) => {
                patched.push(req.body);
                const body = req.body as {restrictions?: Record<string, boolean | null>; expires_at?: number};
                return {body: save(guest('g1', 'bob', {
                    expires_at: body.expires_at ?? 0,
                    restriction_overrides: body.restrictions ?? {},
                    restrictions: {...allAllowed, ...(body.restrictions?.react === false ? {react: false} : {})},
                }))};
            },
        });
        const {user} = await renderDashboard();
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Manage'}));
        const details = screen.getByRole('group', {name: 'Settings for @bob'});
        await user.type(within(details).getByLabelText('Account expires on'), '2999-06-30');
        await user.click(within(details).getByRole('button', {name: 'Set expiry'}));
        await waitFor(() => expect(patched).toEqual([{expires_at: new Date(2999, 5, 30, 23, 59, 59, 999).getTime()}]));
        await waitFor(() => expect(rowOf('bob')).toHaveTextContent('2999'));

        await user.selectOptions(within(details).getByLabelText('Add reactions'), 'deny');
        await waitFor(() => expect(patched[1]).toEqual({restrictions: {...noOverrides, react: false}}));
        await waitFor(() => expect(within(details).getByLabelText('Add reactions')).toHaveValue('deny'));
        await user.selectOptions(within(details).getByLabelText('Add reactions'), 'default');
        await waitFor(() => expect(patched[2]).toEqual({restrictions: noOverrides}));
    });

    it('keeps the other restriction overrides when changing one (the server replaces the whole set)', async () => {
        const patched: unknown[] = [];
        routes({
            [`PATCH ${API}/guests/g1`]: (req) => {
                patched.push(req.body);
                const body = req.body as {restrictions: Record<string, boolean | null>};
                return {body: save(guest('g1', 'bob', {restriction_overrides: body.restrictions}))};
            },
        });
        db = [guest('g1', 'bob', {restriction_overrides: {...noOverrides, upload_files: false}})];
        const {user} = await renderDashboard();
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Manage'}));
        const details = screen.getByRole('group', {name: 'Settings for @bob'});
        expect(within(details).getByLabelText('Upload files')).toHaveValue('deny');
        await user.selectOptions(within(details).getByLabelText('Direct and group messages'), 'allow');
        await waitFor(() => expect(patched).toEqual([{restrictions: {...noOverrides, upload_files: false, direct_messages: true}}]));
    });

    it('sets MFA per guest and shows the effective value and whether MFA is set up', async () => {
        const patched: unknown[] = [];
        routes({
            [`PATCH ${API}/guests/g1`]: (req) => {
                patched.push(req.body);
                const v = (req.body as {require_mfa: boolean | null}).require_mfa;
                return {body: save(guest('g1', 'bob', {require_mfa_override: v, require_mfa: v ?? true}))};
            },
        });
        // Follows the settings, which require MFA; the guest has not set it up.
        db = [guest('g1', 'bob', {require_mfa: true})];
        const {user} = await renderDashboard();
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Manage'}));
        const details = screen.getByRole('group', {name: 'Settings for @bob'});
        const select = within(details).getByLabelText('Require MFA');
        expect(select).toHaveValue('default');
        expect(within(select).getByRole('option', {name: 'Default (follows the settings: required)'})).toBeInTheDocument();
        expect(within(details).getByTestId('mfa-status')).toHaveTextContent('MFA is required of this guest · MFA not set up yet They cannot post or upload until they set it up.');
        expect(select).toHaveAccessibleDescription(/MFA not set up yet/);

        await user.selectOptions(select, 'Not required');
        await waitFor(() => expect(patched).toEqual([{require_mfa: false}]));
        await waitFor(() => expect(within(details).getByLabelText('Require MFA')).toHaveValue('not_required'));
        expect(within(details).getByTestId('mfa-status')).toHaveTextContent('MFA is not required of this guest · MFA not set up yet');
        expect(within(details).getByTestId('mfa-status')).not.toHaveTextContent('cannot post');

        await user.selectOptions(within(details).getByLabelText('Require MFA'), 'Required');
        await waitFor(() => expect(patched[1]).toEqual({require_mfa: true}));
        await user.selectOptions(within(details).getByLabelText('Require MFA'), 'default');
        await waitFor(() => expect(patched[2]).toEqual({require_mfa: null}));
        await waitFor(() => expect(within(details).getByLabelText('Require MFA')).toHaveValue('default'));
    });

    it('shows a guest who has set MFA up, and a refused MFA change in the details', async () => {
        routes({[`PATCH ${API}/guests/g1`]: {status: 400, body: {error_id: 'guest_accounts.app.invalid_require_mfa', message: 'Bad MFA value.'}}});
        db = [guest('g1', 'bob', {mfa_active: true, require_mfa_override: true, require_mfa: true})];
        const {user} = await renderDashboard();
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Manage'}));
        const details = screen.getByRole('group', {name: 'Settings for @bob'});
        const select = within(details).getByLabelText('Require MFA');
        expect(select).toHaveValue('required');
        expect(within(select).getByRole('option', {name: 'Default (follows the settings)'})).toBeInTheDocument();
        expect(within(details).getByTestId('mfa-status')).toHaveTextContent('MFA is required of this guest · MFA set up');
        expect(within(details).getByTestId('mfa-status')).not.toHaveTextContent('cannot post');

        await user.selectOptions(select, 'default');
        expect(await within(details).findByRole('alert')).toHaveTextContent('Bad MFA value. (guest_accounts.app.invalid_require_mfa)');
        expect(within(details).getByLabelText('Require MFA')).toHaveValue('required');
        expect(within(rowOf('bob')).queryByRole('alert')).toBeNull();
    });

    it('turns single-channel on and off, and shows why the server refuses it', async () => {
        const patched: unknown[] = [];
        let refuse = true;
        routes({
            [`PATCH ${API}/guests/g1`]: (req) => {
                patched.push(req.body);
                if (refuse) {
                    return {status: 409, body: {error_id: 'guest_accounts.app.single_channel', message: 'A single-channel guest can be in one channel only; remove a channel first or turn single-channel off.'}};
                }
                return {body: save(guest('g1', 'bob', {single_channel: (req.body as {single_channel: boolean}).single_channel, channel_ids: ['c1']}))};
            },
        });
        const {user} = await renderDashboard();
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Manage'}));
        const details = screen.getByRole('group', {name: 'Settings for @bob'});
        const box = within(details).getByRole('checkbox', {name: 'Single-channel guest'});
        expect(box).not.toBeChecked();

        await user.click(box);
        expect(await within(details).findByRole('alert')).toHaveTextContent('A single-channel guest can be in one channel only; remove a channel first or turn single-channel off. (guest_accounts.app.single_channel)');
        expect(patched).toEqual([{single_channel: true}]);
        expect(within(details).getByRole('checkbox', {name: 'Single-channel guest'})).not.toBeChecked();

        refuse = false;
        await user.click(within(details).getByRole('checkbox', {name: 'Single-channel guest'}));
        await waitFor(() => expect(within(details).getByRole('checkbox', {name: 'Single-channel guest'})).toBeChecked());
        expect(within(details).queryByRole('alert')).toBeNull();
        expect(rowOf('bob')).toHaveTextContent('1 (single-channel guest)');
        await user.click(within(details).getByRole('checkbox', {name: 'Single-channel guest'}));
        await waitFor(() => expect(patched[2]).toEqual({single_channel: false}));
        await waitFor(() => expect(within(details).getByRole('checkbox', {name: 'Single-channel guest'})).not.toBeChecked());
    });

    it('shows the automatic rule that made a guest, the cap reason and the expiry reminder', async () => {
        routes();
        db = [
            guest('g1', 'bob', {rule: 'member_domains', reminder_sent_at: Date.UTC(2025, 5, 20, 12), expires_at: Date.UTC(2025, 5, 27, 12)}),
            guest('g2', 'carol', {rule: 'sign_in_method', status: 'deactivated', deactivated_reason: 'cap'}),
        ];
        const {user} = await renderDashboard();
        expect(rowOf('bob')).toHaveTextContent('Made a guest by the automatic rule: email domain outside the member domains');
        expect(rowOf('carol')).toHaveTextContent('Made a guest by the automatic rule: sign-in method');
        expect(rowOf('carol')).toHaveTextContent('Deactivatedmade a guest by an automatic rule while the maximum of active guests was reached');
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Manage'}));
        expect(screen.getByRole('group', {name: 'Settings for @bob'})).toHaveTextContent('Expiry reminder sent on Jun 20, 2025.');
    });

    it('warns when guests need MFA the server has switched off, and shows a configuration error', async () => {
        routes({[`GET ${API}/stats`]: {body: {...stats, mfa_warning: 'MFA is off on this server.', configuration_error: 'MaxActiveGuests must not be negative.', join_enforcement: 'after'}}});
        await renderDashboard();
        expect(await screen.findByTestId('mfa-warning')).toHaveTextContent('MFA is turned off on this server');
        expect(screen.getByText('The plugin settings have a problem: MaxActiveGuests must not be negative.')).toHaveAttribute('role', 'alert');
        expect(screen.getByRole('region', {name: 'Edition limits'})).toHaveTextContent('a join a guest may not make is undone right after it happens');
    });

    it('has the automatic guest rules panel', async () => {
        routes();
        await renderDashboard();
        const panel = screen.getByRole('region', {name: 'Automatic guest rules'});
        expect(within(panel).getByRole('button', {name: 'Preview existing accounts'})).toBeEnabled();
    });

    it('refuses a past expiry date and shows API errors in the row', async () => {
        const http = routes({[`POST ${API}/guests/g2/activate`]: {status: 409, body: {error_id: 'guest_accounts.guests.cap_reached', message: 'The guest limit is reached.'}}});
        const {user} = await renderDashboard();
        await user.click(within(rowOf('bob')).getByRole('button', {name: 'Manage'}));
        const details = screen.getByRole('group', {name: 'Settings for @bob'});
        await user.type(within(details).getByLabelText('Account expires on'), '2001-01-01');
        await user.click(within(details).getByRole('button', {name: 'Set expiry'}));
        expect(within(details).getByRole('alert')).toHaveTextContent('Pick a date in the future.');
        expect(http.to('PATCH', `${API}/guests/g1`)).toHaveLength(0);

        await user.click(within(rowOf('carol')).getByRole('button', {name: 'Activate'}));
        expect(await within(rowOf('carol')).findByRole('alert')).toHaveTextContent('The guest limit is reached. (guest_accounts.guests.cap_reached)');
    });

    it('resends and revokes pending invitations', async () => {
        const http = routes({
            [`POST ${API}/invites/inv1/resend`]: {body: {...invite, expires_at: Date.UTC(2025, 5, 10)}},
            [`DELETE ${API}/invites/inv1`]: {body: {...invite, status: 'revoked'}},
        });
        const {user} = await renderDashboard();
        const row = screen.getByTestId('invite-row');
        expect(row).toHaveTextContent('new@example.com');
        await waitFor(() => expect(row).toHaveTextContent('@alice'));

        await user.click(within(row).getByRole('button', {name: 'Resend'}));
        expect(await within(row).findByText('New invitation sent to new@example.com; the old link no longer works.')).toBeInTheDocument();
        expect(http.to('POST', `${API}/invites/inv1/resend`)).toHaveLength(1);

        await user.click(within(screen.getByTestId('invite-row')).getByRole('button', {name: 'Revoke'}));
        await user.click(within(screen.getByTestId('invite-row')).getByRole('button', {name: 'Confirm'}));
        await waitFor(() => expect(http.to('DELETE', `${API}/invites/inv1`)).toHaveLength(1));
    });

    it('lists recent audit entries with usernames', async () => {
        routes();
        await renderDashboard();
        await waitFor(() => expect(screen.getAllByTestId('audit-row')[0]).toHaveTextContent('@alice'));
        const [first, second] = screen.getAllByTestId('audit-row');
        expect(first).toHaveTextContent('@aliceGuest deactivated@carolDone');
        expect(first).toHaveTextContent('admin');
        expect(second).toHaveTextContent('SystemGuest accounts turned offDone');
    });

    it('names audit results in words and shows ids this version does not know as they are', async () => {
        routes({
            [`GET ${API}/stats`]: {body: {...stats, edition_limits: [...stats.edition_limits, {capability: 'export_posts', enforced: true, note: 'A later server.'}]}},
            [`GET ${API}/audit`]: {body: {entries: [
                {id: 'a1', at: 3, actor_id: 'admin1', action: 'guest_channel_join', target_id: 'g2', result: 'refused: single_channel', details: 'c9'},
                {id: 'a2', at: 2, actor_id: 'admin1', action: 'invite', target_id: 'x@example.com', result: 'domain_not_allowed'},
                {id: 'a3', at: 1, actor_id: 'admin1', action: 'some_future_action', target_id: 'g2', result: 'failed: store unavailable'},
            ]}},
        });
        await renderDashboard();
        expect(screen.getAllByTestId('edition-limit')[2]).toHaveTextContent('export_postsYesA later server.');
        const rows = screen.getAllByTestId('audit-row');
        expect(rows[0]).toHaveTextContent('Guest added to a channel@carolRefused: a single-channel guest already has their channelc9');
        expect(rows[1]).toHaveTextContent('Guest invitedx@example.comDomain not allowed');
        expect(rows[2]).toHaveTextContent('some_future_action@carolFailed: store unavailable');
        expect(within(rows[0]).getByText('Guest added to a channel')).toHaveAttribute('title', 'guest_channel_join');
    });

    it('pages the invitations and the audit log the server pages, and says when the indexes are being built', async () => {
        const http = routes({
            [`GET ${API}/stats`]: {body: {...stats, index_ready: false}},
            [`GET ${API}/invites`]: {body: {invites: [invite], total: 120}},
            [`GET ${API}/audit`]: (req) => ({body: {entries: [
                {id: 'a' + (req.query.get('page') ?? ''), at: 1, actor_id: 'admin1', action: 'invite', target_id: 'x@example.com', result: 'sent'},
            ], total: 41}}),
        });
        const {user} = await renderDashboard();
        expect(screen.getByText('The lists and counts are being prepared after the upgrade; until then they read every guest and may be slow.')).toBeInTheDocument();
        expect(screen.getByText('Page 1 of 3 (120 pending)')).toBeInTheDocument();
        expect(screen.getByText('Page 1 of 3 (41 entries)')).toBeInTheDocument();
        expect(Object.fromEntries(http.to('GET', `${API}/invites`).at(-1)!.query)).toEqual({status: 'pending', page: '0', per_page: '50'});

        const auditPager = screen.getByText('Page 1 of 3 (41 entries)').parentElement!;
        await user.click(within(auditPager).getByRole('button', {name: 'Next'}));
        await waitFor(() => expect(screen.getByText('Page 2 of 3 (41 entries)')).toBeInTheDocument());
        expect(http.to('GET', `${API}/audit`).at(-1)?.query.get('page')).toBe('1');
        expect(http.to('GET', `${API}/audit`).at(-1)?.query.get('per_page')).toBe('20');
    });

    it('searches the audit log, and says when a search matches more than the server counts', async () => {
        const http = routes({
            [`GET ${API}/guests`]: (req) => ({body: {guests: [guest('g1', 'bob')], total: req.query.get('query') ? 1000 : 1, total_capped: Boolean(req.query.get('query'))}}),
            [`GET ${API}/audit`]: (req) => ({body: req.query.get('query') ? {entries: [], total: 0} : {entries: [
                {id: 'a1', at: 1, actor_id: 'admin1', action: 'revoke_invite', target_id: 'x@example.com', result: 'success'},
            ], total: 1}}),
        });
        const {user} = await renderDashboard();
        await user.type(screen.getByLabelText('Search'), 'b');
        expect(await screen.findByText('Page 1 of 20 (more than 1000 guests match: add a word to narrow the search)')).toBeInTheDocument();
        expect(screen.getByRole('button', {name: 'Next'})).toBeEnabled();

        await user.type(screen.getByLabelText('Search the activity'), 'revoke  x@example');
        await waitFor(() => expect(screen.getByText('No entry matches.')).toBeInTheDocument());
        expect(Object.fromEntries(http.to('GET', `${API}/audit`).at(-1)!.query)).toEqual({query: 'revoke  x@example', page: '0', per_page: '20'});
    });

    it('shows why the counts could not be loaded', async () => {
        routes({[`GET ${API}/stats`]: {status: 403, body: {error_id: 'guest_accounts.api.admin_only', message: 'System admins only.'}}});
        renderWithPlugin(<GuestDashboard/>);
        expect(await screen.findByText('You do not have permission to do this: System admins only.')).toBeInTheDocument();
        await screen.findAllByTestId('guest-row');
        await screen.findAllByTestId('audit-row');
    });
});

import {act, screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {API, deferred, me, mockFetch, renderWithPlugin} from '../../../tests/helpers';
import type {Handler, Reply, Request as MockRequest} from '../../../tests/helpers';

import {openModal as openModalAction} from '../../store/actions';

import {CHANNEL_SEARCH_DELAY_MS} from './channel_picker';

import {InviteModal, InviteModalRoot} from '.';

const channel = (id: string, team: string, name: string, type = 'O', extra = {}) => ({
    id, team_id: team, name, display_name: name[0].toUpperCase() + name.slice(1), type, delete_at: 0, ...extra,
});

const myChannels: Record<string, Array<ReturnType<typeof channel>>> = {
    t1: [
        channel('c-town', 't1', 'town-square'),
        channel('c-proj', 't1', 'project', 'P'),
        channel('c-dm', 't1', 'u1__u2', 'D'),
        channel('c-old', 't1', 'archived', 'O', {delete_at: 5}),
    ],
    t2: [channel('c-shared', 't2', 'shared')],
};

/** Core's search_autocomplete: the user's channels whose name or display name has a word starting with the term. */
function searchMine(teamId: string, extra: Array<ReturnType<typeof channel>> = []): (req: MockRequest) => Reply {
    return (req) => {
        const term = (req.query.get('name') ?? '').toLowerCase();
        const words = (c: ReturnType<typeof channel>) => `${c.name} ${c.display_name}`.toLowerCase().split(/[\s-]+/);
        return {body: [...myChannels[teamId], ...extra].filter((c) => words(c).some((w) => w.startsWith(term)))};
    };
}

/** Core's GET /users/me/channels (every team) and the user's channel memberships. */
function myChannelRoutes(list: Array<{id: string}>): Record<string, Handler> {
    return {
        'GET /api/v4/users/me/channels': {body: list},
        'GET /api/v4/users/me1/channel_members': {body: list.map((c) => ({channel_id: c.id, user_id: 'me1', roles: 'channel_user'}))},
        'POST /api/v4/roles/names': {body: [{id: 'r1', name: 'channel_user', permissions: []}, {id: 'r2', name: 'team_user', permissions: []}]},
    };
}

const searchPath = (teamId: string) => `GET /api/v4/teams/${teamId}/channels/search_autocomplete`;

function routes(extra: Record<string, Handler> = {}) {
    return mockFetch({
        [`GET ${API}/me`]: {body: me({allowed_domains: ['example.com', '*.partner.org']})},
        'GET /api/v4/users/me/teams': {body: [
            {id: 't1', name: 'acme', display_name: 'Acme', delete_at: 0},
            {id: 't2', name: 'partners', display_name: 'Partners', delete_at: 0},
        ]},
        'GET /api/v4/users/me/teams/members': {body: ['t1', 't2'].map((t) => ({team_id: t, user_id: 'me1', roles: 'team_user', delete_at: 0}))},
        ...myChannelRoutes([...myChannels.t1, ...myChannels.t2]),
        [searchPath('t1')]: searchMine('t1'),
        [searchPath('t2')]: searchMine('t2'),
        ...extra,
    });
}

const searches = (http: ReturnType<typeof mockFetch>) => http.calls
    .filter((c) => c.path.endsWith('/channels/search_autocomplete'))
    .map((c) => `${c.path.split('/')[4]}:${c.query.get('name')}`);

const optionLabels = () => within(screen.getByRole('group', {name: 'Channels you can invite guests to'}))
    .queryAllByRole('checkbox').map((c) => c.parentElement?.textContent);

async function openModal(props: {initialChannelId?: string} = {}) {
    const onClose = jest.fn();
    const user = userEvent.setup({delay: null});
    const view = renderWithPlugin(
        <InviteModal
            onClose={onClose}
            {...props}
        />,
    );
    await screen.findByText('Guests may come from: example.com, *.partner.org');
    await screen.findByRole('group', {name: 'Channels you can invite guests to'});
    return {...view, onClose, user, emails: screen.getByLabelText('Email addresses')};
}

const chips = () => screen.queryAllByTestId('email-chip').map((c) => c.firstChild?.textContent);

describe('InviteModal', () => {
    it('validates the address while it is typed', async () => {
        routes();
        const {user, emails} = await openModal();
        expect(emails).toHaveFocus();

        await user.type(emails, 'bob@');
        expect(screen.getByText('“bob@” is not a valid email address')).toBeInTheDocument();
        expect(emails).toHaveAttribute('aria-invalid', 'true');

        await user.type(emails, 'other.org');
        expect(screen.getByText('Guests from other.org are not allowed (allowed: example.com, *.partner.org)')).toBeInTheDocument();

        await user.clear(emails);
        await user.type(emails, 'ann@labs.partner.org');
        expect(emails).toHaveAttribute('aria-invalid', 'false');
        await user.keyboard('{Enter}');
        expect(chips()).toEqual(['ann@labs.partner.org']);
        expect(emails).toHaveValue('');
    });

    it('turns addresses into chips on Enter, comma or space, marks bad ones, and Backspace removes', async () => {
        routes();
        const {user, emails} = await openModal();
        await user.type(emails, 'a@example.com,nope b@partner.org ');
        expect(chips()).toEqual(['a@example.com', 'nope', 'b@partner.org']);
        const bad = screen.getAllByTestId('email-chip');
        expect(bad[1]).toHaveClass('ga-chip--error');
        expect(bad[1]).toHaveTextContent('is not a valid email address');
        expect(bad[2]).toHaveTextContent('Guests from partner.org are not allowed'); // *.partner.org is sub-domains only

        await user.type(emails, 'a@EXAMPLE.com{Enter}');
        expect(screen.getByText('a@example.com is already in the list.')).toBeInTheDocument();

        await user.keyboard('{Backspace}');
        expect(chips()).toEqual(['a@example.com', 'nope']);
        await user.click(screen.getByRole('button', {name: 'Remove nope'}));
        expect(chips()).toEqual(['a@example.com']);
    });

    it('splits pasted lists, display names included', async () => {
        routes();
        const {user, emails} = await openModal();
        await user.click(emails);
        await user.paste('Jane Doe <jane@example.com>; joe@example.com\nx@evil.org');
        expect(chips()).toEqual(['jane@example.com', 'joe@example.com', 'x@evil.org']);
    });

    it('lists the user\'s channels across teams before typing, leaving out DMs and archived channels', async () => {
        const http = routes();
        await openModal();
        expect(optionLabels()).toEqual(['🔒Project (Acme)', '#Town-square (Acme)', '#Shared (Partners)']);
        expect(searches(http)).toEqual([]);
    });

    it('searches the user\'s channels in every team on the server as they type', async () => {
        const http = routes({
            [searchPath('t2')]: searchMine('t2', [
                channel('c-secret', 't2', 'secret-plans', 'P'), // private, not in the first list
                channel('c-gm', '', 'secret-gm', 'G'),
                channel('c-gone', 't2', 'secret-old', 'O', {delete_at: 9}),
            ]),
        });
        const {user} = await openModal();
        await user.type(screen.getByLabelText('Channels'), 'sec');
        await act(() => new Promise((r) => setTimeout(r, CHANNEL_SEARCH_DELAY_MS / 2))); // a pause shorter than the debounce
        await user.type(screen.getByLabelText('Channels'), 'ret');
        expect(screen.getByTestId('channel-search-status')).toHaveTextContent('Searching your channels for “secret”…');
        await waitFor(() => expect(optionLabels()).toEqual(['🔒Secret-plans (Partners)']));
        // The status goes when every team's search has answered, which may be a render later.
        await waitFor(() => expect(screen.queryByTestId('channel-search-status')).not.toBeInTheDocument());
        expect(searches(http)).toEqual(['t1:secret', 't2:secret']); // one request per team, not per keystroke

        await user.click(screen.getByRole('checkbox', {name: /Secret-plans/}));
        await user.clear(screen.getByLabelText('Channels'));
        expect(optionLabels()).toEqual(['🔒Project (Acme)', '#Town-square (Acme)', '#Shared (Partners)']);
        expect(screen.getAllByTestId('channel-chip').map((c) => c.firstChild?.textContent)).toEqual(['Secret-plans (Partners)']);
    });

    it('matches team names too, picks the only match with Enter and says when nothing matches', async () => {
        routes();
        const {user} = await openModal();
        const input = screen.getByLabelText('Channels');
        await user.type(input, 'partn{Enter}');
        expect(screen.queryByTestId('channel-chip')).not.toBeInTheDocument(); // still searching: Enter does nothing yet
        await waitFor(() => expect(optionLabels()).toEqual(['#Shared (Partners)']));
        await user.keyboard('{Enter}');
        expect(screen.getAllByTestId('channel-chip').map((c) => c.firstChild?.textContent)).toEqual(['Shared (Partners)']);
        expect(input).toHaveValue('');

        await user.type(input, 'town');
        await waitFor(() => expect(optionLabels()).toEqual(['#Town-square (Acme)']));
        await user.keyboard('{Enter}');
        expect(screen.getAllByTestId('channel-chip')).toHaveLength(2);

        await user.type(input, 'zzz');
        expect(await screen.findByText('No channel matches “zzz”.')).toBeInTheDocument();
        expect(optionLabels()).toEqual([]);
    });

    it('keeps only the answer to the latest search', async () => {
        const slow = deferred<{body: unknown}>();
        const http = routes({
            [searchPath('t1')]: (req) => (req.query.get('name') === 'pro' ? slow.promise : searchMine('t1')(req)),
        });
        const {user} = await openModal();
        const input = screen.getByLabelText('Channels');
        await user.type(input, 'pro');
        await waitFor(() => expect(searches(http)).toContain('t1:pro'));
        await user.type(input, 'j');
        await waitFor(() => expect(optionLabels()).toEqual(['🔒Project (Acme)']));

        // The earlier, slower answer arrives last: it is dropped.
        await act(async () => slow.resolve({body: [channel('c-prod', 't1', 'production'), channel('c-proj', 't1', 'project', 'P')]}));
        expect(optionLabels()).toEqual(['🔒Project (Acme)']);
        expect(screen.queryByTestId('channel-search-status')).not.toBeInTheDocument();
        expect(searches(http)).toEqual(['t1:pro', 't2:pro', 't1:proj', 't2:proj']);
    });

    it('shows a failed search clearly, with a retry', async () => {
        let fail = true;
        routes({
            [searchPath('t2')]: (req) => (fail ? {status: 500, body: {id: 'app.channel.search.app_error', message: 'Database down'}} : searchMine('t2')(req)),
        });
        const {user} = await openModal();
        await user.type(screen.getByLabelText('Channels'), 'sha');
        const alert = await screen.findByRole('alert');
        expect(alert).toHaveTextContent('Searching your channels for “sha” failed. Database down (app.channel.search.app_error)');
        expect(screen.queryByRole('group', {name: 'Channels you can invite guests to'})).not.toBeInTheDocument();
        await user.keyboard('{Enter}');
        expect(screen.queryByTestId('channel-chip')).not.toBeInTheDocument();

        fail = false;
        await user.click(within(alert).getByRole('button', {name: 'Try again'}));
        await waitFor(() => expect(optionLabels()).toEqual(['#Shared (Partners)']));
        expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    });

    it('sends the invitations and shows the result for every address', async () => {
        const http = routes({
            [`POST ${API}/invites`]: {body: {results: [
                {email: 'a@example.com', status: 'sent', invite_id: 'i1'},
                {email: 'b@example.com', status: 'already_member'},
                {email: 'c@example.com', status: 'added_to_channels'},
                {email: 'd@example.com', status: 'cap_reached', message: 'The limit of 10 active guests is reached.'},
                {email: 'e@example.com', status: 'domain_not_allowed'},
                {email: 'f@example.com', status: 'invalid_address'},
            ]}},
        });
        const {user, emails} = await openModal({initialChannelId: 'c-proj'});
        await user.type(emails, 'a@example.com b@example.com c@example.com d@example.com e@example.com f@example.com');
        await user.click(screen.getByRole('checkbox', {name: /Shared/}));
        await user.type(screen.getByLabelText('Message (optional)'), 'Welcome aboard');
        expect(screen.getByText('14/1000')).toBeInTheDocument();
        await user.type(screen.getByLabelText('Account expires on (optional)'), '2999-12-31');
        await user.click(screen.getByRole('button', {name: 'Send invitations'}));

        expect(await screen.findByText('2 of 6 invitations succeeded.')).toBeInTheDocument();
        const sent = http.to('POST', `${API}/invites`);
        expect(sent).toHaveLength(1);
        expect(sent[0].body).toEqual({
            emails: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com', 'f@example.com'],
            channel_ids: ['c-proj', 'c-shared'],
            message: 'Welcome aboard',
            guest_expires_at: new Date(2999, 11, 31, 23, 59, 59, 999).getTime(),
        });
        const rows = screen.getAllByTestId('invite-result').map((r) => r.textContent);
        expect(rows).toEqual([
            'a@example.comInvitation sent',
            'b@example.comAlready a member',
            'c@example.comExisting guest added to the channels',
            'd@example.comGuest limit reachedThe limit of 10 active guests is reached.',
            'e@example.comDomain not allowed',
            'f@example.comNot a valid email address',
        ]);

        await user.click(screen.getByRole('button', {name: 'Invite more people'}));
        expect(screen.getByLabelText('Email addresses')).toHaveValue('');
        expect(screen.getAllByTestId('channel-chip')).toHaveLength(2);
    });

    it('invites a single-channel guest into exactly one channel', async () => {
        const http = routes({
            [`POST ${API}/invites`]: {body: {results: [{email: 'a@example.com', status: 'sent', invite_id: 'i1'}]}},
        });
        const {user, emails} = await openModal({initialChannelId: 'c-proj'});
        await user.type(emails, 'a@example.com ');
        await user.click(screen.getByRole('checkbox', {name: /Shared/}));
        await user.click(screen.getByRole('checkbox', {name: 'Single-channel guest'}));
        await user.click(screen.getByRole('button', {name: 'Send invitations'}));
        expect(await screen.findByText('A single-channel guest is invited to exactly one channel.')).toBeInTheDocument();
        expect(http.to('POST', `${API}/invites`)).toHaveLength(0);

        await user.click(screen.getByRole('checkbox', {name: /Shared/}));
        await user.click(screen.getByRole('button', {name: 'Send invitations'}));
        expect(await screen.findByText('1 of 1 invitations succeeded.')).toBeInTheDocument();
        expect(http.to('POST', `${API}/invites`)[0].body).toEqual({
            emails: ['a@example.com'],
            channel_ids: ['c-proj'],
            single_channel: true,
        });
    });

    it('shows progress while sending', async () => {
        const reply = deferred<{body: unknown}>();
        routes({[`POST ${API}/invites`]: () => reply.promise});
        const {user, emails} = await openModal({initialChannelId: 'c-town'});
        await user.type(emails, 'a@example.com b@example.com');
        await user.click(screen.getByRole('button', {name: 'Send invitations'}));

        expect(screen.getByRole('button', {name: 'Sending…'})).toBeDisabled();
        expect(screen.getByText('Sending invitations to 2 addresses…')).toBeInTheDocument();
        expect(emails).toBeDisabled();

        reply.resolve({body: {results: [{email: 'a@example.com', status: 'sent'}, {email: 'b@example.com', status: 'sent'}]}});
        expect(await screen.findByText('2 of 2 invitations succeeded.')).toBeInTheDocument();
    });

    it('shows API errors clearly and keeps what was typed', async () => {
        routes({[`POST ${API}/invites`]: {status: 403, body: {error_id: 'guest_accounts.invite.not_allowed', message: 'Only system admins may invite guests.'}}});
        const {user, emails} = await openModal({initialChannelId: 'c-town'});
        await user.type(emails, 'a@example.com{Enter}');
        await user.click(screen.getByRole('button', {name: 'Send invitations'}));

        const alert = await screen.findByRole('alert');
        expect(alert).toHaveTextContent('You do not have permission to do this: Only system admins may invite guests.');
        expect(alert).toHaveTextContent('guest_accounts.invite.not_allowed');
        expect(chips()).toEqual(['a@example.com']);
        expect(screen.getByRole('button', {name: 'Send invitations'})).toBeEnabled();
    });

    it('refuses to send with no channel, bad addresses or a past date', async () => {
        const http = routes();
        const {user, emails} = await openModal();
        await user.click(screen.getByRole('button', {name: 'Send invitations'}));
        expect(screen.getByText('Add at least one email address.')).toBeInTheDocument();

        await user.type(emails, 'x@evil.org');
        await user.type(screen.getByLabelText('Account expires on (optional)'), '2001-01-01');
        await user.click(screen.getByRole('button', {name: 'Send invitations'}));
        const alert = screen.getByRole('alert');
        expect(alert).toHaveTextContent('Remove or correct the addresses marked in red.');
        expect(alert).toHaveTextContent('Pick at least one channel.');
        expect(alert).toHaveTextContent('The expiry date must be in the future.');
        expect(chips()).toEqual(['x@evil.org']); // the unfinished address became a chip
        expect(http.to('POST', `${API}/invites`)).toHaveLength(0);
    });

    it('is keyboard accessible: labelled dialog, focus trap, Escape closes', async () => {
        routes();
        const {user, onClose} = await openModal();
        const dialog = screen.getByRole('dialog', {name: 'Invite guests'});
        expect(dialog).toHaveAttribute('aria-modal', 'true');

        screen.getByRole('button', {name: 'Send invitations'}).focus();
        await user.tab();
        expect(screen.getByRole('button', {name: 'Close'})).toHaveFocus();
        await user.tab({shift: true});
        expect(screen.getByRole('button', {name: 'Send invitations'})).toHaveFocus();

        await user.keyboard('{Escape}');
        expect(onClose).toHaveBeenCalledTimes(1);
    });

    it('says so when the user may not invite, and shows a failing channel load with a retry', async () => {
        let teamsFail = true;
        routes({
            [`GET ${API}/me`]: {body: me({can_invite: false})},
            'GET /api/v4/users/me/teams': () => (teamsFail ? {status: 500, body: {id: 'app.team.get', message: 'Database down'}} : {body: []}),
        });
        const user = userEvent.setup({delay: null});
        renderWithPlugin(<InviteModal onClose={jest.fn()}/>);
        expect(await screen.findByText('You are not allowed to invite guests. Ask your system administrator.')).toBeInTheDocument();
        expect(screen.getByRole('button', {name: 'Send invitations'})).toBeDisabled();
        expect(await screen.findByText('Database down')).toBeInTheDocument();
        teamsFail = false;
        await user.click(screen.getByRole('button', {name: 'Try again'}));
        expect(await screen.findByText('You are not a member of any channel guests can be invited to.')).toBeInTheDocument();
    });
});

describe('InviteModalRoot', () => {
    it('opens from the controller with the channel preselected and closes again', async () => {
        routes();
        const {store} = renderWithPlugin(<InviteModalRoot/>);
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
        act(() => {
            store.dispatch(openModalAction('invite', 'c-shared'));
        });
        expect(await screen.findByRole('dialog', {name: 'Invite guests'})).toBeInTheDocument();
        await waitFor(() => expect(screen.getAllByTestId('channel-chip').map((c) => c.firstChild?.textContent)).toEqual(['Shared (Partners)']));
        await userEvent.click(screen.getByRole('button', {name: 'Cancel'}));
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
});

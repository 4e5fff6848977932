import {act, screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {API, deferred, me, mockFetch, renderWithPlugin} from '../../../tests/helpers';
import type {Handler} from '../../../tests/helpers';

import {InviteModal, InviteModalRoot} from '.';

const channel = (id: string, team: string, name: string, type = 'O', extra = {}) => ({
    id, team_id: team, name, display_name: name[0].toUpperCase() + name.slice(1), type, delete_at: 0, ...extra,
});

function routes(extra: Record<string, Handler> = {}) {
    return mockFetch({
        [`GET ${API}/me`]: {body: me({allowed_domains: ['example.com', '*.partner.org']})},
        'GET /api/v4/users/me/teams': {body: [
            {id: 't1', name: 'acme', display_name: 'Acme', delete_at: 0},
            {id: 't2', name: 'partners', display_name: 'Partners', delete_at: 0},
        ]},
        'GET /api/v4/users/me/teams/t1/channels': {body: [
            channel('c-town', 't1', 'town-square'),
            channel('c-proj', 't1', 'project', 'P'),
            channel('c-dm', 't1', 'u1__u2', 'D'),
            channel('c-old', 't1', 'archived', 'O', {delete_at: 5}),
        ]},
        'GET /api/v4/users/me/teams/t2/channels': {body: [channel('c-shared', 't2', 'shared')]},
        ...extra,
    });
}

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

    it('searches channels across teams as you type, leaving out DMs and archived channels', async () => {
        routes();
        const {user} = await openModal();
        const list = screen.getByRole('group', {name: 'Channels you can invite guests to'});
        expect(within(list).getAllByRole('checkbox').map((c) => c.parentElement?.textContent)).toEqual([
            '#Project (Acme)'.replace('#', '🔒'), '#Town-square (Acme)', '#Shared (Partners)',
        ]);

        await user.type(screen.getByLabelText('Channels'), 'partn');
        expect(within(list).getAllByRole('checkbox')).toHaveLength(1);
        await user.keyboard('{Enter}');
        expect(screen.getAllByTestId('channel-chip').map((c) => c.firstChild?.textContent)).toEqual(['Shared (Partners)']);

        await user.type(screen.getByLabelText('Channels'), 'zzz');
        expect(screen.getByText('No channel matches “zzz”.')).toBeInTheDocument();
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
        const {services} = renderWithPlugin(<InviteModalRoot/>);
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
        act(() => services.inviteModal.open('c-shared'));
        expect(await screen.findByRole('dialog', {name: 'Invite guests'})).toBeInTheDocument();
        await waitFor(() => expect(screen.getAllByTestId('channel-chip').map((c) => c.firstChild?.textContent)).toEqual(['Shared (Partners)']));
        await userEvent.click(screen.getByRole('button', {name: 'Cancel'}));
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
});

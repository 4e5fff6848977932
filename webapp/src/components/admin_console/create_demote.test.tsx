import {screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {API, mockFetch, renderWithPlugin} from '../../../tests/helpers';
import type {Handler} from '../../../tests/helpers';

import {CreateGuestForm} from './create_guest';
import {DemoteMember} from './demote_member';

const channelRoutes: Record<string, Handler> = {
    'GET /api/v4/users/me/teams': {body: [{id: 't1', name: 'acme', display_name: 'Acme', delete_at: 0}]},
    'GET /api/v4/users/me/teams/members': {body: [{team_id: 't1', user_id: 'me1', roles: 'team_user', delete_at: 0}]},
    'GET /api/v4/users/me/channels': {body: [{id: 'c1', team_id: 't1', name: 'project', display_name: 'Project', type: 'O', delete_at: 0}]},
    'GET /api/v4/users/me1/channel_members': {body: [{channel_id: 'c1', user_id: 'me1', roles: 'channel_user'}]},
    'POST /api/v4/roles/names': {body: []},
};

const guest = (over: Record<string, unknown> = {}) => ({user_id: 'g1', username: 'grace', status: 'active', ...over});

describe('CreateGuestForm', () => {
    async function open(routes: Record<string, Handler>) {
        const http = mockFetch({...channelRoutes, ...routes});
        const onCreated = jest.fn();
        const user = userEvent.setup({delay: null});
        renderWithPlugin(<CreateGuestForm onCreated={onCreated}/>);
        await user.click(screen.getByRole('button', {name: 'Create a guest…'}));
        await screen.findByRole('checkbox', {name: /Project/});
        return {http, onCreated, user};
    }

    it('sends every field POST /guests takes', async () => {
        const {http, onCreated, user} = await open({[`POST ${API}/guests`]: {status: 201, body: guest()}});
        const fields: Array<[string, string]> = [
            ['Email *', 'grace@example.com'], ['Username *', 'grace'], ['First name', 'Grace'], ['Last name', 'Hopper'],
            ['Nickname', 'Amazing'], ['Position', 'Auditor'], ['Status message', 'Visiting'],
        ];
        for (const [label, value] of fields) {
            await user.type(screen.getByLabelText(label), value);
        }
        await user.click(screen.getByLabelText('Make a random password and send it by email'));
        await user.type(screen.getByLabelText('Password'), 'Secret-Passw0rd!');
        await user.click(screen.getByLabelText('Require a password change at first login'));
        await user.click(screen.getByRole('checkbox', {name: /Project/}));
        await user.type(screen.getByLabelText('Account expires on (optional)'), '2999-01-31');
        await user.click(screen.getByLabelText('Single-channel guest'));
        await user.click(screen.getByRole('button', {name: 'Create guest'}));
        expect(await screen.findByRole('status')).toHaveTextContent('@grace is now a guest.');
        const [req] = http.to('POST', `${API}/guests`);
        expect(req.body).toEqual({
            email: 'grace@example.com', username: 'grace', first_name: 'Grace', last_name: 'Hopper', nickname: 'Amazing',
            position: 'Auditor', status_message: 'Visiting', random_password: false, password: 'Secret-Passw0rd!',
            require_password_change: false, send_welcome_email: true, channel_ids: ['c1'],
            expires_at: new Date(2999, 0, 31, 23, 59, 59, 999).getTime(), single_channel: true,
        });
        expect(onCreated).toHaveBeenCalledWith(guest());
        expect(screen.getByLabelText('Email *')).toHaveValue('');
    });

    it('checks the form before sending, and shows the server\'s refusal in words', async () => {
        const {http, onCreated, user} = await open({
            [`POST ${API}/guests`]: {status: 403, body: {error_id: 'guest_accounts.app.domain_not_allowed', message: 'email: the domain of x@evil.org is not in "Allowed guest email domains".'}},
        });
        await user.click(screen.getByLabelText('Make a random password and send it by email'));
        await user.click(screen.getByRole('button', {name: 'Create guest'}));
        const problems = screen.getByRole('alert');
        expect(problems).toHaveTextContent('Enter an email address.');
        expect(problems).toHaveTextContent('Enter a username.');
        expect(problems).toHaveTextContent('Enter a password, or choose a random one.');
        expect(http.to('POST', `${API}/guests`)).toHaveLength(0);

        await user.click(screen.getByLabelText('Make a random password and send it by email'));
        await user.type(screen.getByLabelText('Email *'), 'x@evil.org');
        await user.type(screen.getByLabelText('Username *'), 'x');
        await user.click(screen.getByRole('button', {name: 'Create guest'}));
        const alert = await screen.findByRole('alert');
        expect(alert).toHaveTextContent('The guest was not created. You do not have permission to do this: email: the domain of x@evil.org is not in "Allowed guest email domains". (guest_accounts.app.domain_not_allowed)');
        expect(http.to('POST', `${API}/guests`)[0].body).toMatchObject({email: 'x@evil.org', username: 'x', random_password: true});
        expect(onCreated).not.toHaveBeenCalled();
        expect(screen.getByLabelText('Email *')).toHaveValue('x@evil.org');
    });
});

describe('DemoteMember', () => {
    const users = [
        {id: 'u1', username: 'mallory', first_name: 'Mal', last_name: 'Lory', email: 'mal@example.com', roles: 'system_user', delete_at: 0},
        {id: 'b1', username: 'robot', email: 'r@example.com', roles: 'system_user', is_bot: true, delete_at: 0},
        {id: 'g1', username: 'grace', email: 'g@example.com', roles: 'system_user', delete_at: 0},
    ];

    function setup(demote: Handler) {
        const http = mockFetch({
            'GET /api/v4/users/autocomplete': (req) => ({body: {users: users.filter((u) => u.username.startsWith(req.query.get('name') ?? ''))}}),
            [`POST ${API}/guests/lookup`]: {body: {guest_ids: ['g1']}},
            [`POST ${API}/users/u1/demote`]: demote,
        });
        const onDemoted = jest.fn();
        const user = userEvent.setup({delay: null});
        renderWithPlugin(<DemoteMember onDemoted={onDemoted}/>);
        return {http, onDemoted, user};
    }

    it('finds the member with core\'s user search and makes them a guest, keeping or dropping their channels', async () => {
        const {http, onDemoted, user} = setup({body: guest({user_id: 'u1', username: 'mallory'})});
        await user.type(screen.getByLabelText('Find a member'), 'm');
        const results = await screen.findByRole('list', {name: 'Matching accounts'});
        expect(within(results).getAllByTestId('demote-candidate')).toHaveLength(1);
        expect(http.to('GET', '/api/v4/users/autocomplete')[0].query.get('name')).toBe('m');

        await user.click(within(results).getByRole('radio', {name: /@mallory/}));
        await user.click(screen.getByLabelText('Keep their current channels'));
        await user.click(screen.getByRole('button', {name: 'Make @mallory a guest'}));
        await user.click(screen.getByRole('button', {name: 'Confirm'}));
        expect(await screen.findByRole('status')).toHaveTextContent('@mallory is now a guest.');
        expect(http.to('POST', `${API}/users/u1/demote`)[0].body).toEqual({channel_ids: []});
        expect(onDemoted).toHaveBeenCalled();
    });

    it('cannot pick bots or guests, and shows the server\'s refusal in words', async () => {
        const {user} = setup({status: 403, body: {error_id: 'guest_accounts.app.cannot_demote_admin', message: 'System admins cannot be made guests.'}});
        await user.type(screen.getByLabelText('Find a member'), 'r');
        expect(await screen.findByRole('radio', {name: /@robot.*a bot/})).toBeDisabled();
        await user.clear(screen.getByLabelText('Find a member'));
        await user.type(screen.getByLabelText('Find a member'), 'g');
        await waitFor(() => expect(screen.getByRole('radio', {name: /@grace.*already a guest/})).toBeDisabled());

        await user.clear(screen.getByLabelText('Find a member'));
        await user.type(screen.getByLabelText('Find a member'), 'zz');
        expect(await screen.findByText('No account matches “zz”.')).toBeInTheDocument();

        await user.clear(screen.getByLabelText('Find a member'));
        await user.type(screen.getByLabelText('Find a member'), 'mal');
        await user.click(await screen.findByRole('radio', {name: /@mallory/}));
        await user.click(screen.getByRole('button', {name: 'Make @mallory a guest'}));
        await user.click(screen.getByRole('button', {name: 'Confirm'}));
        expect(await screen.findByRole('alert')).toHaveTextContent('The member was not made a guest. You do not have permission to do this: System admins cannot be made guests. (guest_accounts.app.cannot_demote_admin)');
    });
});

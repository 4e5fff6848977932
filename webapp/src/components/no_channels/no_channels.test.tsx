import {screen, waitFor} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {API, me, mockFetch, renderWithPlugin} from '../../../tests/helpers';

import {NoChannelsRoot} from '.';

describe('NoChannelsRoot', () => {
    it('covers the client for a guest without channels, naming who to ask', async () => {
        mockFetch({
            [`GET ${API}/me`]: {body: me({is_guest: true, has_channels: false, can_invite: false, invited_by: 'inv1'})},
            'GET /api/v4/users/inv1': {body: {id: 'inv1', username: 'alice', first_name: 'Alice', last_name: 'Smith'}},
        });
        renderWithPlugin(<NoChannelsRoot/>);
        const screenEl = await screen.findByRole('dialog', {name: 'You have no channels yet'});
        expect(screenEl).toHaveClass('ga-fullscreen');
        expect(await screen.findByText('Ask Alice Smith (@alice), who invited you, to add you to the channels you need.')).toBeInTheDocument();
    });

    it('falls back to a general contact when the inviter is unknown', async () => {
        mockFetch({[`GET ${API}/me`]: {body: me({is_guest: true, has_channels: false})}});
        renderWithPlugin(<NoChannelsRoot/>);
        expect(await screen.findByText('Ask the person who invited you or your system administrator to add you to the channels you need.')).toBeInTheDocument();
    });

    it.each([
        ['a member', me()],
        ['a guest with channels', me({is_guest: true, has_channels: true})],
    ])('renders nothing for %s', async (_who, body) => {
        const http = mockFetch({[`GET ${API}/me`]: {body}});
        const {container} = renderWithPlugin(<NoChannelsRoot/>);
        await waitFor(() => expect(http.calls).toHaveLength(1));
        await waitFor(() => expect(container).toBeEmptyDOMElement());
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });

    it('goes away once a check finds channels', async () => {
        let hasChannels = false;
        mockFetch({[`GET ${API}/me`]: () => ({body: me({is_guest: true, has_channels: hasChannels})})});
        renderWithPlugin(<NoChannelsRoot/>);
        await screen.findByRole('dialog');
        hasChannels = true;
        await userEvent.click(screen.getByRole('button', {name: 'Check again'}));
        await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    });

    it('logs out through mattermost-redux, then leaves for the login page', async () => {
        const http = mockFetch({
            [`GET ${API}/me`]: {body: me({is_guest: true, has_channels: false})},
            'POST /api/v4/users/logout': {body: {status: 'OK'}},
        });
        const onLoggedOut = jest.fn();
        renderWithPlugin(<NoChannelsRoot onLoggedOut={onLoggedOut}/>);
        await userEvent.click(await screen.findByRole('button', {name: 'Log out'}));
        await waitFor(() => expect(onLoggedOut).toHaveBeenCalled());
        expect(http.to('POST', '/api/v4/users/logout')).toHaveLength(1);
    });
});

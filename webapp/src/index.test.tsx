import {act, render, screen, waitFor} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {API, HostProviders, hostState, makeStore, me, mockFetch} from '../tests/helpers';
import type {Handler} from '../tests/helpers';
import {recordingRegistry, registryMethods, unprovenMethods} from '../tests/registry';

import Plugin, {CHANNEL_GUESTS_CHANGED_EVENT, GUESTS_CHANGED_EVENT, parseCount, parseUserIds} from '.';
import {id as pluginId} from './manifest';
import {getMeState, getModal, pluginState} from './store/selectors';

async function start(routes: Record<string, Handler>) {
    const http = mockFetch(routes);
    const store = makeStore({currentChannelId: 'c1', pluginReducer: false});
    const reg = recordingRegistry(pluginId, store);
    const plugin = new Plugin();
    act(() => plugin.initialize(reg.registry, store));
    // Wait for GET /me to be answered and applied.
    await waitFor(() => expect(getMeState(hostState(store)).loading).toBe(false));
    const Host = ({children}: {children: React.ReactNode}) => <HostProviders store={store}>{children}</HostProviders>;
    const show = (ui: React.ReactElement) => render(ui, {wrapper: Host});
    return {...reg, http, plugin, store, show};
}

describe('Plugin.initialize', () => {
    it('registers the badge, the channel indicator, the roots, the dashboard, translations and event handlers', async () => {
        const {of} = await start({[`GET ${API}/me`]: {body: me({can_invite: false})}});
        expect(of('registerPopoverUserAttributesComponent')).toHaveLength(1);
        expect(of('registerChannelHeaderButtonAction')).toHaveLength(1); // the guests indicator only
        expect(of('registerRootComponent')).toHaveLength(3);
        expect(of('registerAdminConsoleCustomSetting')[0].args).toEqual(['GuestDashboard', expect.any(Function), {showTitle: true}]);
        expect(of('registerWebSocketEventHandler').map((c) => c.args[0])).toEqual([
            'custom_guest-accounts_guests_changed',
            'custom_guest-accounts_channel_guests_changed',
        ]);
        const translations = of('registerTranslations')[0].args[0] as (l: string) => Record<string, string>;
        expect(translations('en')['guest-accounts.invite.title']).toBe('Invite guests');
    });

    it('keeps its state in a reducer registered with the client\'s store', async () => {
        const {of, store} = await start({[`GET ${API}/me`]: {body: me({can_invite: false})}});
        expect(of('registerReducer')).toHaveLength(1);
        expect(pluginState(hostState(store))?.me.data).toEqual(me({can_invite: false}));
    });

    it('calls only registry methods the real client has, with no more arguments than they take', async () => {
        // recordingRegistry throws on anything else; every call the plugin made is listed here.
        const {calls} = await start({[`GET ${API}/me`]: {body: me({can_invite: true})}});
        const used = [...new Set(calls.map((c) => c.method))].sort();
        expect(used).toEqual([
            'registerAdminConsoleCustomSetting', 'registerChannelHeaderButtonAction', 'registerMainMenuAction',
            'registerPopoverUserAttributesComponent', 'registerReconnectHandler', 'registerReducer', 'registerRootComponent',
            'registerTranslations', 'registerWebSocketEventHandler',
        ]);
        for (const method of used) {
            expect(registryMethods[method]).toBeDefined();
            expect(unprovenMethods).not.toContain(method);
        }
    });

    it('offers no invite entry points to users who may not invite', async () => {
        const {of} = await start({[`GET ${API}/me`]: {body: me({can_invite: false})}});
        expect(of('registerMainMenuAction')).toHaveLength(0);
    });

    it('offers no invite entry points when /me fails', async () => {
        const {of} = await start({[`GET ${API}/me`]: {status: 500, body: {error_id: 'x', message: 'down'}}});
        expect(of('registerMainMenuAction')).toHaveLength(0);
        expect(of('registerChannelHeaderButtonAction')).toHaveLength(1);
    });

    it('adds the menu item and header button for inviters; they open the modal with the channel', async () => {
        const {of, store, show} = await start({
            [`GET ${API}/me`]: {body: me({can_invite: true})},
            'GET /api/v4/users/me/teams': {body: []},
            'GET /api/v4/users/me/channels': {body: []},
            'GET /api/v4/users/me/channel_members': {body: []},
        });
        expect(of('registerMainMenuAction')).toHaveLength(1);
        const headerButtons = of('registerChannelHeaderButtonAction');
        expect(headerButtons).toHaveLength(2);

        const [InviteRoot] = of('registerRootComponent').map((c) => c.args[0] as React.ComponentType);
        show(<InviteRoot/>);
        const openFromHeader = headerButtons[1].args[1] as (ch: {id: string}) => void;
        act(() => openFromHeader({id: 'c9'}));
        expect(await screen.findByRole('dialog', {name: 'Invite guests'})).toBeInTheDocument();
        expect(getModal(hostState(store), 'invite')).toEqual({open: true, channelId: 'c9'});
        await userEvent.keyboard('{Escape}');
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

        const openFromMenu = of('registerMainMenuAction')[0].args[1] as () => void;
        act(() => openFromMenu());
        expect(await screen.findByRole('dialog', {name: 'Invite guests'})).toBeInTheDocument();
    });

    it('removes the entry points when the user loses the right to invite', async () => {
        let canInvite = true;
        const {of, ws} = await start({[`GET ${API}/me`]: () => ({body: me({can_invite: canInvite})})});
        const ids = [of('registerMainMenuAction').length, of('registerChannelHeaderButtonAction').length];
        expect(ids).toEqual([1, 2]);
        canInvite = false;
        await act(async () => ws(GUESTS_CHANGED_EVENT)({event: GUESTS_CHANGED_EVENT, data: {user_ids: 'me1'}}));
        await waitFor(() => expect(of('unregisterComponent')).toHaveLength(2));
    });

    it('invalidates badges on guests_changed', async () => {
        let guests = ['g1'];
        const {of, ws, http, show} = await start({
            [`GET ${API}/me`]: {body: me({can_invite: false})},
            [`POST ${API}/guests/lookup`]: () => ({body: {guest_ids: guests}}),
        });
        const Badge = of('registerPopoverUserAttributesComponent')[0].args[0] as React.ComponentType<{user: {id: string}}>;
        show(<Badge user={{id: 'g1'}}/>);
        expect(await screen.findByText('Guest')).toBeInTheDocument();

        guests = [];
        act(() => ws(GUESTS_CHANGED_EVENT)({event: GUESTS_CHANGED_EVENT, data: {user_ids: 'x1,g1'}}));
        await waitFor(() => expect(screen.queryByText('Guest')).not.toBeInTheDocument());
        expect(http.to('POST', `${API}/guests/lookup`)).toHaveLength(2);
    });

    it('updates the channel header indicator on channel_guests_changed and opens the guest list', async () => {
        let count = 1;
        const {of, ws, show} = await start({
            [`GET ${API}/me`]: {body: me({can_invite: false})},
            [`GET ${API}/channels/c1/guests`]: () => ({body: {channel_id: 'c1', guest_count: count, guests: [{user_id: 'g1', username: 'bob'}, {user_id: 'g2', username: 'eve'}].slice(0, count)}}),
        });
        const [icon, action] = of('registerChannelHeaderButtonAction')[0].args as [React.ReactElement, (ch: {id: string}) => void];
        const GuestsRoot = of('registerRootComponent')[1].args[0] as React.ComponentType;
        show(<>{icon}<GuestsRoot/></>);
        expect(await screen.findByLabelText('This channel has guests: 1')).toBeInTheDocument();

        count = 2;
        act(() => ws(CHANNEL_GUESTS_CHANGED_EVENT)({event: CHANNEL_GUESTS_CHANGED_EVENT, data: {channel_id: 'c1', guest_count: 2}}));
        expect(screen.getByLabelText('This channel has guests: 2')).toBeInTheDocument();

        act(() => action({id: 'c1'}));
        expect(await screen.findByText('@eve')).toBeInTheDocument();

        // A guest leaves: same event, lower count (sent as a string by some senders).
        count = 1;
        act(() => ws(CHANNEL_GUESTS_CHANGED_EVENT)({event: CHANNEL_GUESTS_CHANGED_EVENT, data: {channel_id: 'c1', guest_count: '1'}}));
        expect(screen.getByLabelText('This channel has guests: 1')).toBeInTheDocument();
        await waitFor(() => expect(screen.queryByText('@eve')).not.toBeInTheDocument());
    });

    it('reloads the channel header indicator on guests_changed and on reconnect', async () => {
        let list = [{user_id: 'g1', username: 'bob'}, {user_id: 'g2', username: 'eve'}];
        const {of, ws, http, show} = await start({
            [`GET ${API}/me`]: {body: me({can_invite: false})},
            [`GET ${API}/channels/c1/guests`]: () => ({body: {channel_id: 'c1', guest_count: list.length, guests: list}}),
            [`POST ${API}/guests/lookup`]: {body: {guest_ids: []}},
        });
        const [icon] = of('registerChannelHeaderButtonAction')[0].args as [React.ReactElement];
        show(icon);
        expect(await screen.findByLabelText('This channel has guests: 2')).toBeInTheDocument();

        list = list.slice(1); // bob was promoted to member
        act(() => ws(GUESTS_CHANGED_EVENT)({event: GUESTS_CHANGED_EVENT, data: {user_ids: 'g1'}}));
        expect(await screen.findByLabelText('This channel has guests: 1')).toBeInTheDocument();

        list = []; // eve was removed while the connection was down
        const reconnect = of('registerReconnectHandler')[0].args[0] as () => void;
        act(() => reconnect());
        expect(await screen.findByLabelText('No guests in this channel')).toBeInTheDocument();
        expect(http.to('GET', `${API}/channels/c1/guests`)).toHaveLength(3);
    });

    it.each([
        [3, 3], ['2', 2], [0, 0], ['', undefined], [-1, undefined], [1.5, undefined], [null, undefined], ['x', undefined],
    ])('reads the guest count %j as %j', (value, expected) => {
        expect(parseCount(value)).toBe(expected);
    });

    it('parses comma-separated id lists', () => {
        expect(parseUserIds('a, b,,c')).toEqual(['a', 'b', 'c']);
        expect(parseUserIds(['a', 3])).toEqual(['a']);
        expect(parseUserIds(undefined)).toEqual([]);
    });
});

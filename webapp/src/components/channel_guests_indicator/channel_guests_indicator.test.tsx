import {act, screen, waitFor} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {API, hostState, makeStore, mockFetch, renderWithPlugin} from '../../../tests/helpers';
import {channelGuestsChanged, refreshAllChannelGuests} from '../../store/actions';
import type {Dispatch} from '../../store/actions';
import {getChannelGuestsEntry} from '../../store/selectors';

import {ChannelGuestsDialog, ChannelGuestsIndicator, CurrentChannelGuestsIndicator} from '.';

const guests = (count: number) => ({
    channel_id: 'c1',
    guest_count: count,
    guests: Array.from({length: count}, (_, i) => ({user_id: `g${i}`, username: `guest${i}`})),
});

describe('ChannelGuestsIndicator', () => {
    it('says the channel has guests, with the count', async () => {
        const http = mockFetch({[`GET ${API}/channels/c1/guests`]: {body: guests(3)}});
        renderWithPlugin(<ChannelGuestsIndicator channelId='c1'/>);
        expect(await screen.findByText('This channel has guests')).toBeInTheDocument();
        expect(screen.getByLabelText('Guests: 3')).toHaveTextContent('3');
        expect(http.calls).toHaveLength(1);
    });

    it('shows nothing for a channel without guests', async () => {
        const http = mockFetch({[`GET ${API}/channels/c1/guests`]: {body: guests(0)}});
        const {container, store} = renderWithPlugin(<ChannelGuestsIndicator channelId='c1'/>);
        await waitFor(() => expect(getChannelGuestsEntry(hostState(store), 'c1')?.loading).toBe(false));
        expect(http.calls).toHaveLength(1);
        expect(container).toBeEmptyDOMElement();
    });

    it('follows channel_guests_changed events live', async () => {
        let count = 0;
        const http = mockFetch({[`GET ${API}/channels/c1/guests`]: () => ({body: guests(count)})});
        const {store} = renderWithPlugin(<ChannelGuestsIndicator channelId='c1'/>);
        await waitFor(() => expect(getChannelGuestsEntry(hostState(store), 'c1')?.data).toBeDefined());
        expect(screen.queryByText('This channel has guests')).not.toBeInTheDocument();

        count = 2;
        act(() => {
            (store.dispatch as Dispatch)(channelGuestsChanged('c1', 2));
        });
        expect(screen.getByText('This channel has guests')).toBeInTheDocument();
        expect(screen.getByLabelText('Guests: 2')).toBeInTheDocument();
        await waitFor(() => expect(getChannelGuestsEntry(hostState(store), 'c1')?.loading).toBe(false));
        expect(http.calls).toHaveLength(2); // the guest list is reloaded too
    });

    it('follows a guest leaving the channel (channel_guests_changed with a lower count)', async () => {
        let count = 2;
        const http = mockFetch({[`GET ${API}/channels/c1/guests`]: () => ({body: guests(count)})});
        const {store} = renderWithPlugin(<ChannelGuestsIndicator channelId='c1'/>);
        expect(await screen.findByLabelText('Guests: 2')).toBeInTheDocument();

        count = 1;
        act(() => {
            (store.dispatch as Dispatch)(channelGuestsChanged('c1', 1));
        });
        expect(screen.getByLabelText('Guests: 1')).toBeInTheDocument();
        count = 0;
        act(() => {
            (store.dispatch as Dispatch)(channelGuestsChanged('c1', 0));
        });
        expect(screen.queryByText('This channel has guests')).not.toBeInTheDocument();
        await waitFor(() => expect(getChannelGuestsEntry(hostState(store), 'c1')?.loading).toBe(false));
        expect(screen.queryByText('This channel has guests')).not.toBeInTheDocument();
        expect(http.calls.length).toBeGreaterThanOrEqual(2);
    });

    it('reloads its guests when a guest\'s record changes (guests_changed: promoted, deactivated, removed)', async () => {
        let list = guests(3);
        const http = mockFetch({[`GET ${API}/channels/c1/guests`]: () => ({body: list})});
        const {store} = renderWithPlugin(<ChannelGuestsIndicator channelId='c1'/>);
        expect(await screen.findByLabelText('Guests: 3')).toBeInTheDocument();

        list = {...guests(2), guests: guests(3).guests.slice(1)}; // guest0 promoted to member
        act(() => {
            (store.dispatch as Dispatch)(refreshAllChannelGuests());
        });
        expect(await screen.findByLabelText('Guests: 2')).toBeInTheDocument();
        expect(http.calls).toHaveLength(2);
    });

    it('in the header form follows the current channel', async () => {
        mockFetch({[`GET ${API}/channels/c1/guests`]: {body: guests(4)}});
        const store = makeStore({currentChannelId: 'c1'});
        renderWithPlugin(<CurrentChannelGuestsIndicator/>, store);
        expect(await screen.findByLabelText('This channel has guests: 4')).toBeInTheDocument();
    });

    it('updates the open dialog when a guest leaves', async () => {
        let list = guests(2);
        mockFetch({[`GET ${API}/channels/c1/guests`]: () => ({body: list})});
        const {store} = renderWithPlugin(
            <ChannelGuestsDialog
                channelId='c1'
                onClose={jest.fn()}
            />,
        );
        expect(await screen.findByText('@guest1')).toBeInTheDocument();
        list = {...guests(1)};
        act(() => {
            (store.dispatch as Dispatch)(channelGuestsChanged('c1', 1));
        });
        await waitFor(() => expect(screen.queryByText('@guest1')).not.toBeInTheDocument());
        expect(screen.getByText('@guest0')).toBeInTheDocument();
        expect(screen.getByText(/^This channel has guests: 1\./)).toBeInTheDocument();

        list = guests(0);
        act(() => {
            (store.dispatch as Dispatch)(channelGuestsChanged('c1', 0));
        });
        expect(screen.getByText('There are no guests in this channel.')).toBeInTheDocument();
        await waitFor(() => expect(getChannelGuestsEntry(hostState(store), 'c1')?.loading).toBe(false));
    });

    it('lists the guests in the dialog, and shows errors with a retry', async () => {
        let fail = true;
        mockFetch({
            [`GET ${API}/channels/c1/guests`]: () => (fail ? {status: 403, body: {error_id: 'guest_accounts.api.not_member', message: 'Not a channel member'}} : {body: guests(2)}),
        });
        const onClose = jest.fn();
        renderWithPlugin(
            <ChannelGuestsDialog
                channelId='c1'
                onClose={onClose}
            />,
        );
        expect(await screen.findByRole('alert')).toHaveTextContent('Not a channel member');
        fail = false;
        await userEvent.click(screen.getByRole('button', {name: 'Try again'}));
        expect(await screen.findByText('@guest0')).toBeInTheDocument();
        expect(screen.getByText('@guest1')).toBeInTheDocument();
        await userEvent.keyboard('{Escape}');
        expect(onClose).toHaveBeenCalled();
    });
});

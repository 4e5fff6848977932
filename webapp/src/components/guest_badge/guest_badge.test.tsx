import {act, screen, waitFor} from '@testing-library/react';
import React from 'react';

import {API, mockFetch, renderWithPlugin} from '../../../tests/helpers';
import {invalidateGuestLookups} from '../../store/actions';

import {GuestBadge, PopoverGuestBadge} from '.';

describe('GuestBadge', () => {
    it('looks up every badge on screen in one batched request', async () => {
        const http = mockFetch({[`POST ${API}/guests/lookup`]: {body: {guest_ids: ['g1', 'g2']}}});
        renderWithPlugin(
            <ul>
                {['g1', 'u1', 'g2', 'u2', 'u3'].map((id) => (
                    <li key={id}>
                        {id}
                        <GuestBadge userId={id}/>
                    </li>
                ))}
            </ul>,
        );
        await waitFor(() => expect(screen.getAllByText('Guest')).toHaveLength(2));
        const lookups = http.to('POST', `${API}/guests/lookup`);
        expect(lookups).toHaveLength(1);
        expect(lookups[0].body).toEqual({user_ids: ['g1', 'u1', 'g2', 'u2', 'u3']});
        expect(screen.getByText('g1')).toContainElement(screen.getAllByText('Guest')[0]);
    });

    it('shows core system_guest users without asking the server', async () => {
        const http = mockFetch({});
        renderWithPlugin(
            <GuestBadge
                userId='c1'
                roles='system_guest'
            />,
        );
        expect(screen.getByText('Guest')).toBeInTheDocument();
        await new Promise((r) => setTimeout(r, 80));
        expect(http.calls).toHaveLength(0);
    });

    it('updates when a guests_changed event invalidates the cached answer', async () => {
        let guests = ['g1'];
        const http = mockFetch({[`POST ${API}/guests/lookup`]: () => ({body: {guest_ids: guests}})});
        const {store} = renderWithPlugin(<PopoverGuestBadge user={{id: 'g1'}}/>);
        expect(await screen.findByText('Guest')).toBeInTheDocument();

        guests = []; // promoted to member
        act(() => {
            store.dispatch(invalidateGuestLookups(['g1']));
        });
        await waitFor(() => expect(screen.queryByText('Guest')).not.toBeInTheDocument());
        expect(http.to('POST', `${API}/guests/lookup`)).toHaveLength(2);
    });

    it('shows nothing when the lookup fails, and nothing for bots', async () => {
        const http = mockFetch({[`POST ${API}/guests/lookup`]: {status: 500, body: {error_id: 'x', message: 'boom'}}});
        renderWithPlugin(
            <>
                <PopoverGuestBadge user={{id: 'g1'}}/>
                <PopoverGuestBadge user={{id: 'b1', is_bot: true}}/>
            </>,
        );
        await waitFor(() => expect(http.calls).toHaveLength(1));
        expect(http.calls[0].body).toEqual({user_ids: ['g1']});
        expect(screen.queryByText('Guest')).not.toBeInTheDocument();
    });
});

// The plugin's state in a store like the client's: batched guest lookups and
// per-channel guest lists kept current by events.
import {Client} from '../client';
import {deferred, hostState, makeStore} from '../../tests/helpers';
import type {ChannelGuests} from '../types/api';

import {
    LOOKUP_MAX_BATCH, channelGuestsChanged, flushGuestLookups, invalidateGuestLookups, loadChannelGuests,
    refreshAllChannelGuests, requestGuestLookup, unwatchChannelGuests, watchChannelGuests,
} from './actions';
import type {Dispatch} from './actions';
import {getChannelGuestsEntry, isGuest, lookupNeeded} from './selectors';

function setup() {
    const store = makeStore();
    const dispatch = store.dispatch as Dispatch;
    const state = () => hostState(store);
    return {store, dispatch, state};
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('guest lookups', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());
    const settle = async () => {
        await jest.advanceTimersByTimeAsync(60);
    };

    it('batches ids asked for within the window into one request and caches answers', async () => {
        const lookup = jest.spyOn(Client, 'lookupGuests').mockImplementation(async (ids) => ids.filter((id) => id.startsWith('g')));
        const {dispatch, state} = setup();
        ['g1', 'u1', 'g2', 'u1'].forEach((id) => dispatch(requestGuestLookup(id)));
        expect(lookup).not.toHaveBeenCalled();
        await settle();
        expect(lookup).toHaveBeenCalledTimes(1);
        expect(lookup).toHaveBeenCalledWith(['g1', 'u1', 'g2']);
        expect(['g1', 'u1', 'g2'].map((id) => isGuest(state(), id))).toEqual([true, false, true]);
        dispatch(requestGuestLookup('g1'));
        await settle();
        expect(lookup).toHaveBeenCalledTimes(1);
    });

    it(`splits more than ${LOOKUP_MAX_BATCH} ids into several requests`, async () => {
        const lookup = jest.spyOn(Client, 'lookupGuests').mockResolvedValue([]);
        const {dispatch} = setup();
        for (let i = 0; i < 450; i++) {
            dispatch(requestGuestLookup(`u${i}`));
        }
        await settle();
        expect(lookup.mock.calls.map(([ids]) => ids.length)).toEqual([200, 200, 50]);
    });

    it('keeps an invalidated answer until the new one, and asks again', async () => {
        const lookup = jest.spyOn(Client, 'lookupGuests').mockResolvedValue(['g1']);
        const {dispatch, state} = setup();
        dispatch(requestGuestLookup('g1'));
        await settle();
        dispatch(invalidateGuestLookups(['g1']));
        expect(isGuest(state(), 'g1')).toBe(true);
        expect(lookupNeeded(state(), 'g1')).toBe(true);
        dispatch(requestGuestLookup('g1'));
        await settle();
        expect(lookup).toHaveBeenCalledTimes(2);
    });

    it('asks again for ids invalidated while their request was in flight', async () => {
        let answer = ['g1'];
        const lookup = jest.spyOn(Client, 'lookupGuests').mockImplementation(async () => answer);
        const {dispatch, state} = setup();
        dispatch(requestGuestLookup('g1'));
        const sent = dispatch(flushGuestLookups()); // request sent, answer pending
        dispatch(invalidateGuestLookups(['g1']));
        answer = [];
        await sent;
        await settle();
        await settle();
        expect(lookup).toHaveBeenCalledTimes(2);
        expect(isGuest(state(), 'g1')).toBe(false);
    });

    it('does not cache failures', async () => {
        jest.spyOn(Client, 'lookupGuests').mockRejectedValueOnce(new Error('down')).mockResolvedValueOnce(['g1']);
        const {dispatch, state} = setup();
        dispatch(requestGuestLookup('g1'));
        await settle();
        expect(isGuest(state(), 'g1')).toBeUndefined();
        dispatch(requestGuestLookup('g1'));
        await settle();
        expect(isGuest(state(), 'g1')).toBe(true);
    });
});

const answer = (channelId: string, usernames: string[]): ChannelGuests => ({
    channel_id: channelId,
    guest_count: usernames.length,
    guests: usernames.map((username, i) => ({user_id: `g${i}`, username})),
});

/** Channel guest requests the test answers one by one. */
function channelSetup() {
    const pending: Array<{channelId: string; reply: ReturnType<typeof deferred<ChannelGuests>>}> = [];
    const get = jest.spyOn(Client, 'getChannelGuests').mockImplementation((channelId: string) => {
        const reply = deferred<ChannelGuests>();
        pending.push({channelId, reply});
        return reply.promise;
    });
    const env = setup();
    const answerNext = async (usernames: string[]) => {
        const next = pending.shift()!;
        next.reply.resolve(answer(next.channelId, usernames));
        await flush();
        await flush();
    };
    const entry = (channelId = 'c1') => getChannelGuestsEntry(env.state(), channelId);
    return {...env, get, pending, answerNext, entry};
}

describe('channel guests', () => {
    it('applies a guest leaving at once and reloads the list of a channel on screen', async () => {
        const {dispatch, get, answerNext, entry} = channelSetup();
        dispatch(watchChannelGuests('c1'));
        dispatch(loadChannelGuests('c1'));
        await answerNext(['ann', 'bob']);

        dispatch(channelGuestsChanged('c1', 1));
        expect(entry()?.data?.guest_count).toBe(1);
        expect(get).toHaveBeenCalledTimes(2);
        await answerNext(['bob']);
        expect(entry()?.data?.guests.map((g) => g.username)).toEqual(['bob']);

        dispatch(channelGuestsChanged('c1', 0)); // the last guest left: no stale names meanwhile
        expect(entry()?.data?.guest_count).toBe(0);
        expect(entry()?.data?.guests).toEqual([]);
        await answerNext([]);
        expect(entry()).toMatchObject({data: answer('c1', []), loading: false});
    });

    it('drops an answer that may predate a change and asks once more, however many changes came', async () => {
        const {dispatch, get, pending, answerNext, entry} = channelSetup();
        dispatch(watchChannelGuests('c1'));
        dispatch(loadChannelGuests('c1'));
        await answerNext(['ann']);

        dispatch(loadChannelGuests('c1', true));
        expect(get).toHaveBeenCalledTimes(2);
        dispatch(channelGuestsChanged('c1', 3));
        dispatch(refreshAllChannelGuests());
        dispatch(channelGuestsChanged('c1', 2));
        expect(get).toHaveBeenCalledTimes(2); // one request in flight at a time
        expect(entry()?.data?.guest_count).toBe(2);

        await answerNext(['ann']); // answered before the changes: dropped
        expect(entry()?.data?.guest_count).toBe(2);
        expect(get).toHaveBeenCalledTimes(3);
        expect(pending).toHaveLength(1);
        await answerNext(['ann', 'bob']);
        expect(entry()?.data?.guests.map((g) => g.username)).toEqual(['ann', 'bob']);
        expect(entry()?.loading).toBe(false);
        expect(get).toHaveBeenCalledTimes(3);
    });

    it('on guests_changed reloads the channels on screen and the others when they are next shown', async () => {
        const {dispatch, get, answerNext, entry} = channelSetup();
        dispatch(watchChannelGuests('c1'));
        dispatch(loadChannelGuests('c1'));
        await answerNext(['ann', 'bob']);
        dispatch(loadChannelGuests('c2'));
        await answerNext(['cid']);

        dispatch(refreshAllChannelGuests()); // bob was promoted
        expect(get.mock.calls.map((c) => c[0])).toEqual(['c1', 'c2', 'c1']);
        await answerNext(['ann']);
        expect(entry()?.data?.guest_count).toBe(1);

        dispatch(loadChannelGuests('c2')); // shown again: outdated, so fetched again
        expect(get.mock.calls.map((c) => c[0])).toEqual(['c1', 'c2', 'c1', 'c2']);
        await answerNext([]);
        expect(entry('c2')?.data?.guest_count).toBe(0);
        dispatch(loadChannelGuests('c2'));
        expect(get).toHaveBeenCalledTimes(4); // current again

        dispatch(unwatchChannelGuests('c1'));
        dispatch(channelGuestsChanged('c1', 5));
        expect(entry()?.data?.guest_count).toBe(5);
        expect(get).toHaveBeenCalledTimes(4); // not on screen: reloaded when shown
    });

    it('reloads without changing the count when an event has no usable count, and ignores unknown channels', async () => {
        const {dispatch, get, answerNext, entry} = channelSetup();
        dispatch(watchChannelGuests('c1'));
        dispatch(loadChannelGuests('c1'));
        await answerNext(['ann']);
        dispatch(channelGuestsChanged('c1', undefined));
        expect(entry()?.data?.guest_count).toBe(1);
        expect(get).toHaveBeenCalledTimes(2);
        dispatch(channelGuestsChanged('never-asked', 3));
        expect(entry('never-asked')).toBeUndefined();
    });

    it('keeps a failed load until a reload after an event succeeds', async () => {
        jest.spyOn(Client, 'getChannelGuests').
            mockRejectedValueOnce(Object.assign(new Error('down'), {status_code: 500, server_error_id: 'app.channel.get_members'})).
            mockResolvedValueOnce(answer('c1', ['ann']));
        const {dispatch, state} = setup();
        dispatch(watchChannelGuests('c1'));
        dispatch(loadChannelGuests('c1'));
        await flush();
        expect(getChannelGuestsEntry(state(), 'c1')).toMatchObject({loading: false, error: {message: 'down', status_code: 500, server_error_id: 'app.channel.get_members'}});

        dispatch(channelGuestsChanged('c1', 1)); // no data yet: only the reload
        await flush();
        await flush();
        expect(getChannelGuestsEntry(state(), 'c1')).toMatchObject({data: answer('c1', ['ann']), loading: false});
    });
});

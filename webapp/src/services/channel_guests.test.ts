import type {ChannelGuests} from '../client';
import {ClientError} from '../client';
import {deferred} from '../../tests/helpers';

import {ChannelGuestsStore} from './channel_guests';

const answer = (channelId: string, usernames: string[]): ChannelGuests => ({
    channel_id: channelId,
    guest_count: usernames.length,
    guests: usernames.map((username, i) => ({user_id: `g${i}`, username})),
});

/** A store whose requests the test answers one by one. */
function setup() {
    const pending: Array<{channelId: string; reply: ReturnType<typeof deferred<ChannelGuests>>}> = [];
    const getChannelGuests = jest.fn((channelId: string) => {
        const reply = deferred<ChannelGuests>();
        pending.push({channelId, reply});
        return reply.promise;
    });
    const store = new ChannelGuestsStore({getChannelGuests});
    const flush = () => new Promise((r) => setTimeout(r, 0));

    const answerNext = async (usernames: string[]) => {
        const next = pending.shift()!;
        next.reply.resolve(answer(next.channelId, usernames));
        await flush();
    };
    return {store, getChannelGuests, pending, answerNext};
}

const count = (store: ChannelGuestsStore, channelId = 'c1') => store.get(channelId)?.data?.guest_count;
const names = (store: ChannelGuestsStore, channelId = 'c1') => store.get(channelId)?.data?.guests.map((g) => g.username);

describe('ChannelGuestsStore', () => {
    it('applies a guest leaving at once and reloads the list of a channel on screen', async () => {
        const {store, getChannelGuests, answerNext} = setup();
        store.watch('c1');
        store.load('c1');
        await answerNext(['ann', 'bob']);

        store.applyEvent('c1', 1);
        expect(count(store)).toBe(1);
        expect(getChannelGuests).toHaveBeenCalledTimes(2);
        await answerNext(['bob']);
        expect(names(store)).toEqual(['bob']);

        store.applyEvent('c1', 0); // the last guest left: no stale names meanwhile
        expect(count(store)).toBe(0);
        expect(names(store)).toEqual([]);
        await answerNext([]);
        expect(store.get('c1')).toEqual({data: answer('c1', []), loading: false});
    });

    it('drops an answer that may predate a change and asks once more, however many changes came', async () => {
        const {store, getChannelGuests, pending, answerNext} = setup();
        store.watch('c1');
        store.load('c1');
        await answerNext(['ann']);

        store.load('c1', true);
        expect(getChannelGuests).toHaveBeenCalledTimes(2);
        store.applyEvent('c1', 3);
        store.refreshAll();
        store.applyEvent('c1', 2);
        expect(getChannelGuests).toHaveBeenCalledTimes(2); // one request in flight at a time
        expect(count(store)).toBe(2);

        await answerNext(['ann']); // answered before the changes: dropped
        expect(count(store)).toBe(2);
        expect(getChannelGuests).toHaveBeenCalledTimes(3);
        expect(pending).toHaveLength(1);
        await answerNext(['ann', 'bob']);
        expect(names(store)).toEqual(['ann', 'bob']);
        expect(store.get('c1')?.loading).toBe(false);
        expect(getChannelGuests).toHaveBeenCalledTimes(3);
    });

    it('on guests_changed reloads the channels on screen and the others when they are next shown', async () => {
        const {store, getChannelGuests, answerNext} = setup();
        const unwatch = store.watch('c1');
        store.load('c1');
        await answerNext(['ann', 'bob']);
        store.load('c2');
        await answerNext(['cid']);

        store.refreshAll(); // bob was promoted
        expect(getChannelGuests.mock.calls.map((c) => c[0])).toEqual(['c1', 'c2', 'c1']);
        await answerNext(['ann']);
        expect(count(store)).toBe(1);

        store.load('c2'); // shown again: outdated, so fetched again
        expect(getChannelGuests.mock.calls.map((c) => c[0])).toEqual(['c1', 'c2', 'c1', 'c2']);
        await answerNext([]);
        expect(count(store, 'c2')).toBe(0);
        store.load('c2');
        expect(getChannelGuests).toHaveBeenCalledTimes(4); // current again

        unwatch();
        unwatch(); // twice is harmless
        store.applyEvent('c1', 5);
        expect(count(store)).toBe(5);
        expect(getChannelGuests).toHaveBeenCalledTimes(4); // not on screen: reloaded when shown
    });

    it('reloads without changing the count when an event has no usable count', async () => {
        const {store, getChannelGuests, answerNext} = setup();
        store.watch('c1');
        store.load('c1');
        await answerNext(['ann']);
        store.applyEvent('c1', undefined);
        store.applyEvent('c1', -1);
        expect(count(store)).toBe(1);
        expect(getChannelGuests).toHaveBeenCalledTimes(2);
    });

    it('shows a failed load until a reload after an event succeeds', async () => {
        const failing = new ClientError(500, 'app.channel.get_members', 'down');
        const getChannelGuests = jest.fn()
            .mockRejectedValueOnce(failing)
            .mockResolvedValueOnce(answer('c1', ['ann']));
        const store = new ChannelGuestsStore({getChannelGuests});
        store.watch('c1');
        store.load('c1');
        await new Promise((r) => setTimeout(r, 0));
        expect(store.get('c1')).toEqual({loading: false, error: failing});

        store.applyEvent('c1', 1); // no data yet: only the reload
        await new Promise((r) => setTimeout(r, 0));
        expect(store.get('c1')).toEqual({data: answer('c1', ['ann']), loading: false});
    });
});

import {GuestLookup, parseUserIds} from './guest_lookup';

describe('GuestLookup', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    const settle = async () => {
        await jest.advanceTimersByTimeAsync(60);
    };

    it('batches ids asked for within the window into one request and caches answers', async () => {
        const fetchIds = jest.fn(async (ids: string[]) => ids.filter((id) => id.startsWith('g')));
        const lookup = new GuestLookup(fetchIds);
        ['g1', 'u1', 'g2', 'u1'].forEach((id) => lookup.request(id));
        expect(fetchIds).not.toHaveBeenCalled();
        await settle();
        expect(fetchIds).toHaveBeenCalledTimes(1);
        expect(fetchIds).toHaveBeenCalledWith(['g1', 'u1', 'g2']);
        expect([lookup.get('g1'), lookup.get('u1'), lookup.get('g2')]).toEqual([true, false, true]);

        lookup.request('g1');
        await settle();
        expect(fetchIds).toHaveBeenCalledTimes(1);
    });

    it('splits more than 200 ids into several requests', async () => {
        const fetchIds = jest.fn(async (_ids: string[]) => [] as string[]);
        const lookup = new GuestLookup(fetchIds);
        for (let i = 0; i < 450; i++) {
            lookup.request(`u${i}`);
        }
        await settle();
        expect(fetchIds.mock.calls.map(([ids]) => ids.length)).toEqual([200, 200, 50]);
    });

    it('forgets invalidated ids and notifies subscribers', async () => {
        const fetchIds = jest.fn(async () => ['g1']);
        const lookup = new GuestLookup(fetchIds);
        lookup.request('g1');
        await settle();
        const listener = jest.fn();
        lookup.subscribe(listener);
        lookup.invalidate(['g1']);
        expect(listener).toHaveBeenCalled();
        expect(lookup.get('g1')).toBe(true); // still shown until the new answer
        expect(lookup.needs('g1')).toBe(true);
        lookup.request('g1');
        await settle();
        expect(fetchIds).toHaveBeenCalledTimes(2);
    });

    it('asks again for ids invalidated while their request was in flight', async () => {
        let answer = ['g1'];
        const fetchIds = jest.fn(async () => answer);
        const lookup = new GuestLookup(fetchIds);
        lookup.request('g1');
        jest.advanceTimersByTime(50); // request sent, answer pending
        lookup.invalidate(['g1']);
        answer = [];
        await settle();
        await settle();
        expect(fetchIds).toHaveBeenCalledTimes(2);
        expect(lookup.get('g1')).toBe(false);
    });

    it('does not cache failures', async () => {
        const fetchIds = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValueOnce(['g1']);
        const lookup = new GuestLookup(fetchIds);
        lookup.request('g1');
        await settle();
        expect(lookup.get('g1')).toBeUndefined();
        lookup.request('g1');
        await settle();
        expect(lookup.get('g1')).toBe(true);
    });

    it('parses comma-separated id lists', () => {
        expect(parseUserIds('a, b,,c')).toEqual(['a', 'b', 'c']);
        expect(parseUserIds(['a', 3])).toEqual(['a']);
        expect(parseUserIds(undefined)).toEqual([]);
    });
});

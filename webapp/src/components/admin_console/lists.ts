// Every list the dashboard shows is fetched here, in one place: the guests
// (search, status, sort, page), the pending invitations and the audit log.
// Each hook loads on mount, again when its parameters or `refresh` change,
// and keeps only the answer to its latest request.
import {useEffect, useState} from 'react';

import {getProfilesByIds} from 'mattermost-redux/actions/users';
import {getUsers} from 'mattermost-redux/selectors/entities/common';

import {Client} from '../../client';
import {usePluginDispatch, usePluginSelector} from '../../hooks';
import type {AuditEntry, Guest, Invite, ListGuestsParams} from '../../types/api';

export interface Loaded<T> {
    data: T | null;
    error: unknown;
    retry: () => void;

    /** Replaces what is shown (after an action changed one row). */
    set: (update: (cur: T) => T) => void;
}

function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
    const [data, setData] = useState<T | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
        let live = true;
        setError(null);
        load().then(
            (d) => live && setData(d),
            (err: unknown) => live && setError(err),
        );
        return () => {
            live = false;
        };
    }, [...deps, attempt]); // eslint-disable-line react-hooks/exhaustive-deps
    return {
        data,
        error,
        retry: () => setAttempt((n) => n + 1),
        set: (update) => setData((cur) => (cur === null ? cur : update(cur))),
    };
}

export const SEARCH_DELAY_MS = 300;

/**
 * A search box's text and the query it settles on once typing pauses
 * (SEARCH_DELAY_MS); onSettled runs with each new query (back to page 1).
 */
export function useSearchQuery(onSettled: () => void) {
    const [search, setSearch] = useState('');
    const [query, setQuery] = useState('');
    useEffect(() => {
        const timer = setTimeout(() => {
            setQuery(search.trim());
            onSettled();
        }, SEARCH_DELAY_MS);
        return () => clearTimeout(timer);
    }, [search]); // eslint-disable-line react-hooks/exhaustive-deps -- onSettled is a fresh closure each render
    return {search, setSearch, query};
}

export const GUESTS_PER_PAGE = 50;
export const INVITES_PER_PAGE = 50;
export const AUDIT_PAGE_SIZE = 20;

export function useGuestList(params: ListGuestsParams, refresh: number) {
    const {query, status, sort, page} = params;
    return useLoad(() => Client.listGuests({query, status, sort, page, per_page: GUESTS_PER_PAGE}), [query, status, sort, page, refresh]);
}

export function usePendingInvites(page: number, refresh: number) {
    return useLoad<{invites: Invite[]; total: number}>(() => Client.listInvites({status: 'pending', page, per_page: INVITES_PER_PAGE}), [page, refresh]);
}

export function useAuditLog(query: string, page: number, refresh: number) {
    return useLoad<{entries: AuditEntry[]; total: number; total_capped: boolean}>(
        () => Client.getAudit({query: query || undefined, page, per_page: AUDIT_PAGE_SIZE}),
        [query, page, refresh],
    );
}

export type GuestPage = {guests: Guest[]; total: number; total_capped: boolean};

/**
 * Usernames for user ids (audit actors, inviters), from the client's store;
 * missing profiles are fetched with mattermost-redux (once per id). Unknown
 * ids map to nothing.
 */
export function useUsernames(ids: string[]): Map<string, string> {
    const dispatch = usePluginDispatch();
    const users = usePluginSelector(getUsers);
    const key = Array.from(new Set(ids.filter(Boolean))).sort().join(',');
    useEffect(() => {
        const missing = (key ? key.split(',') : []).filter((id) => !users[id]);
        if (missing.length > 0) {
            dispatch(getProfilesByIds(missing));
        }
    }, [dispatch, key]); // eslint-disable-line react-hooks/exhaustive-deps
    const names = new Map<string, string>();
    for (const id of key ? key.split(',') : []) {
        if (users[id]) {
            names.set(id, users[id].username);
        }
    }
    return names;
}

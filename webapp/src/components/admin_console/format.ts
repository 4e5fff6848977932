// Formatting and lookups shared by the dashboard's sections.
import {useEffect, useState} from 'react';

import type {Client} from '../../client';

export function formatDate(ms: number, locale: string): string {
    return new Intl.DateTimeFormat(locale, {year: 'numeric', month: 'short', day: 'numeric'}).format(new Date(ms));
}

export function formatDateTime(ms: number, locale: string): string {
    return new Intl.DateTimeFormat(locale, {year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit'}).format(new Date(ms));
}

/** Usernames for user ids (for audit actors and inviters); unknown ids map to themselves. */
export function useUsernames(client: Pick<Client, 'getUsersByIds'>, ids: string[]): Map<string, string> {
    const [names, setNames] = useState<Map<string, string>>(new Map());
    const key = Array.from(new Set(ids.filter(Boolean))).sort().join(',');
    useEffect(() => {
        const wanted = key ? key.split(',') : [];
        const missing = wanted.filter((id) => !names.has(id));
        if (missing.length === 0) {
            return undefined;
        }
        let live = true;
        client.getUsersByIds(missing).then((users) => {
            if (!live) {
                return;
            }
            setNames((prev) => {
                const next = new Map(prev);
                users.forEach((u) => next.set(u.id, u.username));
                return next;
            });
        }, () => undefined);
        return () => {
            live = false;
        };
    }, [client, key]); // eslint-disable-line react-hooks/exhaustive-deps
    return names;
}

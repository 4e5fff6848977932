// "Make a member a guest": find the account with core's user autocomplete
// (mattermost-redux, so the profiles land in the client's store), then
// POST /users/{id}/demote, keeping the member's current channels or none.
// Guests, bots and deactivated accounts are shown but cannot be picked; the
// server refuses what it must (system admins, outside the allowed domains,
// the cap) and says why.
import React, {useEffect, useId, useState} from 'react';

import type {UserAutocomplete} from '@mattermost/types/autocomplete';
import type {UserProfile} from '@mattermost/types/users';

import {autocompleteUsers} from 'mattermost-redux/actions/users';

import {Client} from '../../client';
import {usePluginDispatch} from '../../hooks';
import {useT} from '../../i18n';
import type {Guest} from '../../types/api';
import {ErrorMessage} from '../common/error_message';
import {useIsGuest} from '../guest_badge';

import {ConfirmButton} from './confirm_button';

export const USER_SEARCH_DELAY_MS = 250;
const USER_SEARCH_LIMIT = 20;

function useUserSearch(term: string) {
    const dispatch = usePluginDispatch();
    const [state, setState] = useState<{term: string; users: UserProfile[] | null; error: unknown}>({term: '', users: null, error: null});
    useEffect(() => {
        let latest = true;
        if (!term) {
            setState({term: '', users: null, error: null});
            return undefined;
        }
        const timer = setTimeout(() => {
            (dispatch(autocompleteUsers(term, '', '', {limit: USER_SEARCH_LIMIT})) as Promise<{data?: UserAutocomplete; error?: unknown}>).then((res) => {
                if (latest) {
                    setState({term, users: res.error ? null : (res.data?.users ?? []), error: res.error ?? null});
                }
            });
        }, USER_SEARCH_DELAY_MS);
        return () => {
            latest = false;
            clearTimeout(timer);
        };
    }, [dispatch, term]);
    return {...state, searching: Boolean(term) && state.term !== term};
}

function Candidate({user, selected, onSelect}: {user: UserProfile; selected: boolean; onSelect: () => void}) {
    const t = useT();
    const guest = useIsGuest(user.id);
    const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
    let reason = '';
    if (user.is_bot) {
        reason = t('demote.is_bot');
    } else if (user.delete_at) {
        reason = t('demote.deactivated');
    } else if (guest || (user.roles ?? '').split(' ').includes('system_guest')) {
        reason = t('demote.already_guest');
    }
    return (
        <li
            className='ga-user-option'
            data-testid='demote-candidate'
        >
            <label>
                <input
                    type='radio'
                    name='ga-demote-user'
                    checked={selected}
                    disabled={Boolean(reason)}
                    onChange={onSelect}
                />
                {' '}
                <span className='ga-strong'>{`@${user.username}`}</span>
                {' '}
                <span className='ga-hint'>{[name, user.email].filter(Boolean).join(' · ')}</span>
                {reason && <span className='ga-hint'>{` — ${reason}`}</span>}
            </label>
        </li>
    );
}

export function DemoteMember({onDemoted}: {onDemoted: (guest: Guest) => void}) {
    const t = useT();
    const ids = {search: useId(), keep: useId(), title: useId()};
    const [search, setSearch] = useState('');
    const term = search.trim();
    const found = useUserSearch(term);
    const [selected, setSelected] = useState<UserProfile | null>(null);
    const [keepChannels, setKeepChannels] = useState(true);
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [done, setDone] = useState<Guest | null>(null);

    const demote = async () => {
        if (!selected) {
            return;
        }
        setBusy(true);
        setError(null);
        setDone(null);
        try {
            const guest = await Client.demoteUser(selected.id, keepChannels ? undefined : []);
            setDone(guest);
            setSelected(null);
            setSearch('');
            onDemoted(guest);
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };

    return (
        <section
            className='ga-section'
            aria-labelledby={ids.title}
            data-testid='demote-member'
        >
            <h3 id={ids.title}>{t('demote.title')}</h3>
            <p className='ga-hint'>{t('demote.intro')}</p>
            <label
                className='ga-label'
                htmlFor={ids.search}
            >
                {t('demote.search')}
            </label>
            <input
                id={ids.search}
                type='search'
                className='ga-input'
                autoComplete='off'
                placeholder={t('demote.search_placeholder')}
                value={search}
                disabled={busy}
                onChange={(e) => {
                    setSearch(e.target.value);
                    setSelected(null);
                }}
            />
            {found.searching && <p role='status'>{t('demote.searching')}</p>}
            <ErrorMessage error={found.error}/>
            {!found.searching && found.users !== null && found.users.length === 0 && <p>{t('demote.no_match', {search: term})}</p>}
            {!found.searching && found.users !== null && found.users.length > 0 && (
                <ul
                    className='ga-plain-list'
                    aria-label={t('demote.results_label')}
                >
                    {found.users.map((u) => (
                        <Candidate
                            key={u.id}
                            user={u}
                            selected={selected?.id === u.id}
                            onSelect={() => setSelected(u)}
                        />
                    ))}
                </ul>
            )}
            {selected && (
                <div className='ga-field'>
                    <label htmlFor={ids.keep}>
                        <input
                            id={ids.keep}
                            type='checkbox'
                            checked={keepChannels}
                            disabled={busy}
                            onChange={(e) => setKeepChannels(e.target.checked)}
                        />
                        {' '}{t('demote.keep_channels')}
                    </label>
                    <div className='ga-hint'>{keepChannels ? t('demote.keep_channels_on') : t('demote.keep_channels_off')}</div>
                    <ConfirmButton
                        label={t('demote.submit', {username: selected.username})}
                        question={t('demote.confirm', {username: selected.username})}
                        disabled={busy}
                        danger={true}
                        onConfirm={demote}
                    />
                </div>
            )}
            {done && (
                <p
                    role='status'
                    className='ga-ok'
                >
                    {t('demote.done', {username: done.username})}
                </p>
            )}
            <ErrorMessage
                title={t('demote.failed')}
                error={error}
            />
        </section>
    );
}

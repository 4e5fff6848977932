// Channel picker across all of the user's teams: loads the teams and the
// user's channels in each (core REST), then filters as the user types.
// Only open and private channels are offered; direct and group messages
// cannot take guests by invitation.
import React, {useEffect, useId, useMemo, useState} from 'react';

import type {Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';

import {useT} from '../../i18n';
import {useServices} from '../../services/context';
import {ErrorMessage} from '../common/error_message';

export interface ChannelOption {
    id: string;
    name: string;
    displayName: string;
    type: 'O' | 'P';
    teamId: string;
    teamName: string;
}

const MAX_SHOWN = 100;

function toOptions(teams: Team[], channelsByTeam: Channel[][]): ChannelOption[] {
    const options: ChannelOption[] = [];
    teams.forEach((team, i) => {
        for (const ch of channelsByTeam[i] ?? []) {
            if ((ch.type === 'O' || ch.type === 'P') && !ch.delete_at) {
                options.push({
                    id: ch.id,
                    name: ch.name,
                    displayName: ch.display_name || ch.name,
                    type: ch.type,
                    teamId: team.id,
                    teamName: team.display_name || team.name,
                });
            }
        }
    });
    return options.sort((a, b) => a.teamName.localeCompare(b.teamName) || a.displayName.localeCompare(b.displayName));
}

/** Loads the channels the user may pick from. */
export function useChannelOptions() {
    const {client} = useServices();
    const [options, setOptions] = useState<ChannelOption[] | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [attempt, setAttempt] = useState(0);

    useEffect(() => {
        let live = true;
        setError(null);
        (async () => {
            const teams = (await client.getMyTeams()).filter((team) => !team.delete_at);
            const channels = await Promise.all(teams.map((team) => client.getMyChannelsInTeam(team.id)));
            return toOptions(teams, channels);
        })().then(
            (result) => live && setOptions(result),
            (err: unknown) => live && setError(err),
        );
        return () => {
            live = false;
        };
    }, [client, attempt]);

    return {options, error, retry: () => setAttempt((n) => n + 1)};
}

export interface ChannelPickerProps {
    options: ChannelOption[] | null;
    error: unknown;
    onRetry: () => void;
    selected: string[];
    onChange: (ids: string[]) => void;
    disabled?: boolean;
    inputId: string;
}

export function ChannelPicker({options, error, onRetry, selected, onChange, disabled, inputId}: ChannelPickerProps) {
    const t = useT();
    const listId = useId();
    const [search, setSearch] = useState('');

    const byId = useMemo(() => new Map((options ?? []).map((o) => [o.id, o])), [options]);
    const multiTeam = useMemo(() => new Set((options ?? []).map((o) => o.teamId)).size > 1, [options]);

    const matches = useMemo(() => {
        const q = search.trim().toLowerCase();
        const all = options ?? [];
        if (!q) {
            return all;
        }
        return all.filter((o) => o.displayName.toLowerCase().includes(q) || o.name.toLowerCase().includes(q) || o.teamName.toLowerCase().includes(q));
    }, [options, search]);

    const toggle = (id: string) => {
        onChange(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
    };

    const label = (o: ChannelOption) => (multiTeam ? t('invite.channels.option', {channel: o.displayName, team: o.teamName}) : o.displayName);

    return (
        <div className='ga-field'>
            {selected.length > 0 && (
                <ul
                    className='ga-chips__list'
                    aria-label={t('invite.channels.selected_label')}
                >
                    {selected.map((id) => {
                        const o = byId.get(id);
                        return (
                            <li
                                key={id}
                                className='ga-chip'
                                data-testid='channel-chip'
                            >
                                <span>{o ? label(o) : id}</span>
                                <button
                                    type='button'
                                    className='ga-chip__remove'
                                    disabled={disabled}
                                    aria-label={t('invite.channels.remove', {channel: o ? o.displayName : id})}
                                    onClick={() => toggle(id)}
                                >
                                    {'×'}
                                </button>
                            </li>
                        );
                    })}
                </ul>
            )}
            <input
                id={inputId}
                type='search'
                className='ga-input'
                autoComplete='off'
                placeholder={t('invite.channels.placeholder')}
                value={search}
                disabled={disabled}
                aria-controls={listId}
                onChange={(e) => setSearch(e.target.value)}
                onKeyDown={(e) => {
                    // Enter picks the only match instead of submitting the form.
                    if (e.key === 'Enter') {
                        e.preventDefault();
                        if (matches.length === 1 && !selected.includes(matches[0].id)) {
                            toggle(matches[0].id);
                            setSearch('');
                        }
                    }
                }}
            />
            <ErrorMessage
                error={error}
                onRetry={onRetry}
            />
            {!error && options === null && <p role='status'>{t('invite.channels.loading')}</p>}
            {options !== null && (
                <div
                    id={listId}
                    className='ga-channel-list'
                    role='group'
                    aria-label={t('invite.channels.results_label')}
                >
                    {matches.length === 0 && <p className='ga-hint'>{search ? t('invite.channels.no_match', {search}) : t('invite.channels.none')}</p>}
                    {matches.slice(0, MAX_SHOWN).map((o) => (
                        <label
                            key={o.id}
                            className='ga-channel-option'
                        >
                            <input
                                type='checkbox'
                                checked={selected.includes(o.id)}
                                disabled={disabled}
                                onChange={() => toggle(o.id)}
                            />
                            <span
                                className='ga-channel-option__icon'
                                aria-hidden='true'
                            >{o.type === 'P' ? '🔒' : '#'}</span>
                            <span>{label(o)}</span>
                        </label>
                    ))}
                    {matches.length > MAX_SHOWN && <p className='ga-hint'>{t('invite.channels.more', {count: matches.length - MAX_SHOWN})}</p>}
                </div>
            )}
        </div>
    );
}

// Channel picker across all of the user's teams: lists the user's channels
// in each team (core REST) before typing, then searches the user's channels
// on the server as they type. Only open and private channels are offered;
// direct and group messages cannot take guests by invitation, and an
// invitation may only name channels the inviter is a member of.
import React, {useEffect, useId, useMemo, useState} from 'react';

import type {Channel} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';

import {autocompleteChannelsForSearch, fetchAllMyChannelMembers, fetchAllMyTeamsChannels} from 'mattermost-redux/actions/channels';
import {getMyTeamMembers, getMyTeams as fetchMyTeams} from 'mattermost-redux/actions/teams';
import {getAllChannels} from 'mattermost-redux/selectors/entities/channels';
import {getMyChannelMemberships} from 'mattermost-redux/selectors/entities/common';
import {getMyTeams} from 'mattermost-redux/selectors/entities/teams';

import {usePluginDispatch, usePluginSelector} from '../../hooks';
import {useT} from '../../i18n';
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

function toOption(ch: Channel, team: Team): ChannelOption {
    return {
        id: ch.id,
        name: ch.name,
        displayName: ch.display_name || ch.name,
        type: ch.type as 'O' | 'P',
        teamId: team.id,
        teamName: team.display_name || team.name,
    };
}

/** Open and private, not archived, in one of the user's teams: the channels an invitation may name. */
function invitable(ch: Channel | undefined, teams: Map<string, Team>): ch is Channel {
    return Boolean(ch && (ch.type === 'O' || ch.type === 'P') && !ch.delete_at && teams.has(ch.team_id));
}

function sortOptions(options: ChannelOption[]): ChannelOption[] {
    return options.sort((a, b) => a.teamName.localeCompare(b.teamName) || a.displayName.localeCompare(b.displayName));
}

interface ActionResult<T> {
    data?: T;
    error?: unknown;
}

/**
 * The user's teams and the channels they are a member of in all of them,
 * from the client's store. Opening the picker asks the server for them once
 * (the client itself loads only the current team's channels).
 */
export function useChannelOptions() {
    const dispatch = usePluginDispatch();
    const myTeams = usePluginSelector(getMyTeams);
    const channels = usePluginSelector(getAllChannels);
    const memberships = usePluginSelector(getMyChannelMemberships);
    const [loaded, setLoaded] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [attempt, setAttempt] = useState(0);

    useEffect(() => {
        let live = true;
        setError(null);
        Promise.all([
            dispatch(fetchMyTeams()),
            dispatch(getMyTeamMembers()),
            dispatch(fetchAllMyTeamsChannels()),
            dispatch(fetchAllMyChannelMembers()),
        ] as Array<Promise<ActionResult<unknown>>>).then((results) => {
            if (!live) {
                return;
            }
            const failed = results.find((r) => r?.error);
            if (failed) {
                setError(failed.error);
            } else {
                setLoaded(true);
            }
        });
        return () => {
            live = false;
        };
    }, [dispatch, attempt]);

    const teams = useMemo(() => (loaded ? myTeams.filter((team) => !team.delete_at) : null), [loaded, myTeams]);
    const options = useMemo(() => {
        if (!teams) {
            return null;
        }
        const byId = new Map(teams.map((team) => [team.id, team]));
        const list: ChannelOption[] = [];
        for (const id of Object.keys(memberships)) {
            const ch = channels[id];
            if (invitable(ch, byId)) {
                list.push(toOption(ch, byId.get(ch.team_id)!));
            }
        }
        return sortOptions(list);
    }, [teams, channels, memberships]);

    return {options, teams, error, retry: () => setAttempt((n) => n + 1)};
}

/** How long typing must pause before the channel search goes to the server. */
export const CHANNEL_SEARCH_DELAY_MS = 250;

export interface ChannelSearch {
    /** The trimmed term the results are for ('' before typing). */
    term: string;

    /** The server's matches for `term`; null before the first answer or after a failure. */
    results: ChannelOption[] | null;
    /** True from the first keystroke until the answer for the current term arrives. */
    searching: boolean;
    error: unknown;

    /** Every channel any search returned (to name selected channels). */
    found: ReadonlyMap<string, ChannelOption>;
    retry: () => void;
}

/**
 * Searches the user's channels in every team on the server as they type
 * (debounced; core's search_autocomplete: member channels only, private
 * ones included, through mattermost-redux so they land in the client's
 * store). Only the answer to the latest request is kept: a slower, earlier
 * answer is dropped when it arrives.
 */
export function useChannelSearch(teams: Team[] | null, search: string): ChannelSearch {
    const dispatch = usePluginDispatch();
    const term = search.trim();
    const [state, setState] = useState<{term: string; results: ChannelOption[] | null; error: unknown}>({term: '', results: null, error: null});
    const [found, setFound] = useState<ReadonlyMap<string, ChannelOption>>(new Map());
    const [searching, setSearching] = useState(false);
    const [attempt, setAttempt] = useState(0);

    useEffect(() => {
        // Cleared when the term changes again (or the picker goes): the
        // answer to this request is stale by then and must not be shown.
        let latest = true;
        if (!term || !teams) {
            setSearching(false);
            setState({term: '', results: null, error: null});
            return undefined;
        }
        setSearching(true);
        const timer = setTimeout(() => {
            const byId = new Map(teams.map((team) => [team.id, team]));
            Promise.all(teams.map((team) => dispatch(autocompleteChannelsForSearch(team.id, term)) as Promise<ActionResult<Channel[]>>)).then((answers) => {
                if (!latest) {
                    return;
                }
                const failed = answers.find((a) => a.error);
                if (failed) {
                    setState({term, results: null, error: failed.error});
                } else {
                    const results = sortOptions(answers.flatMap((a) => a.data ?? []).filter((ch) => invitable(ch, byId)).map((ch) => toOption(ch, byId.get(ch.team_id)!)));
                    setState({term, results, error: null});
                    setFound((prev) => new Map([...prev, ...results.map((o): [string, ChannelOption] => [o.id, o])]));
                }
                setSearching(false);
            });
        }, CHANNEL_SEARCH_DELAY_MS);
        return () => {
            latest = false;
            clearTimeout(timer);
        };
    }, [dispatch, teams, term, attempt]);

    return {...state, found, searching: searching || state.term !== term, retry: () => setAttempt((n) => n + 1)};
}

export interface ChannelPickerProps {
    /** The user's channels before typing (null while loading). */
    options: ChannelOption[] | null;

    /** The user's teams, searched as they type (null while loading). */
    teams: Team[] | null;
    error: unknown;
    onRetry: () => void;
    selected: string[];
    onChange: (ids: string[]) => void;
    disabled?: boolean;
    inputId: string;
}

export function ChannelPicker({options, teams, error, onRetry, selected, onChange, disabled, inputId}: ChannelPickerProps) {
    const t = useT();
    const listId = useId();
    const [search, setSearch] = useState('');
    const found = useChannelSearch(teams, search);
    const term = search.trim();

    const byId = useMemo(() => new Map([...found.found, ...(options ?? []).map((o): [string, ChannelOption] => [o.id, o])]), [options, found.found]);
    const multiTeam = (teams?.length ?? 0) > 1;

    // Typing: the server's answer for the term, plus the channels of teams
    // whose name matches (the server searches channel names only). Until the
    // first answer, the list on screen stays as it was.
    const matches = useMemo(() => {
        const all = options ?? [];
        if (!term || found.results === null) {
            return all;
        }
        const q = found.term.toLowerCase();
        const ids = new Set(found.results.map((o) => o.id));
        const byTeam = all.filter((o) => !ids.has(o.id) && o.teamName.toLowerCase().includes(q));
        return byTeam.length === 0 ? found.results : sortOptions([...found.results, ...byTeam]);
    }, [options, term, found.results, found.term]);

    const settled = !term || !found.searching;
    const searchFailed = Boolean(term && settled && found.error);

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
                    // Enter picks the only match instead of submitting the form
                    // (once the server has answered for what is typed).
                    if (e.key === 'Enter') {
                        e.preventDefault();
                        if (settled && !searchFailed && matches.length === 1 && !selected.includes(matches[0].id)) {
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
            {options !== null && term && !settled && (
                <p
                    role='status'
                    className='ga-hint'
                    data-testid='channel-search-status'
                >
                    {t('invite.channels.searching', {search: term})}
                </p>
            )}
            {options !== null && searchFailed && (
                <ErrorMessage
                    title={t('invite.channels.search_failed', {search: term})}
                    error={found.error}
                    onRetry={found.retry}
                />
            )}
            {options !== null && !searchFailed && (
                <div
                    id={listId}
                    className='ga-channel-list'
                    role='group'
                    aria-label={t('invite.channels.results_label')}
                    aria-busy={!settled}
                >
                    {settled && matches.length === 0 && <p className='ga-hint'>{term ? t('invite.channels.no_match', {search: term}) : t('invite.channels.none')}</p>}
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

// "This channel has guests": the guest count of a channel, from
// GET /channels/{id}/guests, kept live by channel_guests_changed (a guest
// joined or left) and guests_changed (a guest's record changed) events.
//
// The client offers plugins no text slot in the channel header, so the
// registered form is the icon of a channel header button
// (CurrentChannelGuestsIndicator); clicking it opens ChannelGuestsDialog.
import React, {useEffect} from 'react';

import {getCurrentChannelId} from 'mattermost-redux/selectors/entities/common';

import {usePluginDispatch, usePluginSelector} from '../../hooks';
import {useT} from '../../i18n';
import {closeModal, loadChannelGuests, unwatchChannelGuests, watchChannelGuests} from '../../store/actions';
import {getChannelGuestsEntry, getModal} from '../../store/selectors';
import {Dialog} from '../common/dialog';
import {ErrorMessage} from '../common/error_message';

/** The channel's guest data, loading it on first use (or when outdated) and watching it while shown. */
export function useChannelGuests(channelId: string) {
    const dispatch = usePluginDispatch();
    const entry = usePluginSelector((state) => (channelId ? getChannelGuestsEntry(state, channelId) : undefined));
    const outdated = Boolean(entry?.outdated);
    useEffect(() => {
        if (!channelId) {
            return undefined;
        }
        dispatch(watchChannelGuests(channelId));
        return () => {
            dispatch(unwatchChannelGuests(channelId));
        };
    }, [dispatch, channelId]);
    useEffect(() => {
        dispatch(loadChannelGuests(channelId));
    }, [dispatch, channelId, outdated]);
    return entry;
}

export function ChannelGuestsIndicator({channelId, compact = false}: {channelId: string; compact?: boolean}) {
    const t = useT();
    const entry = useChannelGuests(channelId);
    const count = entry?.data?.guest_count ?? 0;

    if (compact) {
        // Always render something: the header button exists for every channel.
        const label = count > 0 ? t('channel_guests.aria', {count}) : t('channel_guests.none');
        return (
            <span
                className={`ga-channel-guests ga-channel-guests--compact${count > 0 ? ' ga-channel-guests--active' : ''}`}
                aria-label={label}
                title={label}
                data-testid='channel-guests-indicator'
            >
                <GuestsIcon/>
                {count > 0 && <span className='ga-channel-guests__count'>{count}</span>}
            </span>
        );
    }

    if (count === 0) {
        return null;
    }
    return (
        <span
            className='ga-channel-guests ga-channel-guests--active'
            role='status'
            data-testid='channel-guests-indicator'
        >
            <GuestsIcon/>
            <span>{t('channel_guests.label')}</span>
            <span
                className='ga-channel-guests__count'
                aria-label={t('channel_guests.count', {count})}
            >
                {count}
            </span>
        </span>
    );
}

/** The indicator for whatever channel the user is looking at. */
export function CurrentChannelGuestsIndicator() {
    const channelId = usePluginSelector(getCurrentChannelId);
    return (
        <ChannelGuestsIndicator
            channelId={channelId}
            compact={true}
        />
    );
}

/** The list of a channel's guests, opened from the header button. */
export function ChannelGuestsDialog({channelId, onClose}: {channelId: string; onClose: () => void}) {
    const t = useT();
    const dispatch = usePluginDispatch();
    const entry = useChannelGuests(channelId);
    const guests = entry?.data?.guests ?? [];
    const count = entry?.data?.guest_count ?? 0;

    let body: React.ReactNode;
    if (entry?.error) {
        body = (
            <ErrorMessage
                error={entry.error}
                onRetry={() => dispatch(loadChannelGuests(channelId, true))}
            />
        );
    } else if (!entry?.data) {
        body = <p role='status'>{t('common.loading')}</p>;
    } else if (count === 0) {
        body = <p>{t('channel_guests.dialog_none')}</p>;
    } else {
        body = (
            <>
                <p>{t('channel_guests.dialog_intro', {count})}</p>
                <ul className='ga-plain-list'>
                    {guests.map((g) => <li key={g.user_id}>{`@${g.username}`}</li>)}
                </ul>
            </>
        );
    }
    return (
        <Dialog
            title={t('channel_guests.dialog_title')}
            onClose={onClose}
        >
            {body}
        </Dialog>
    );
}

/** Root component: shows ChannelGuestsDialog while the header button has opened it. */
export function ChannelGuestsDialogRoot() {
    const dispatch = usePluginDispatch();
    const {open, channelId} = usePluginSelector((state) => getModal(state, 'channelGuests'));
    if (!open || !channelId) {
        return null;
    }
    return (
        <ChannelGuestsDialog
            channelId={channelId}
            onClose={() => dispatch(closeModal('channelGuests'))}
        />
    );
}

export function GuestsIcon() {
    return (
        <svg
            className='ga-icon'
            width='16'
            height='16'
            viewBox='0 0 24 24'
            aria-hidden='true'
            focusable='false'
        >
            <path
                fill='currentColor'
                d='M9 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-3.3 0-7 1.6-7 4v2h10.5a6.5 6.5 0 0 1-.4-5.8A13 13 0 0 0 9 14zm9-1a5 5 0 1 0 0 10 5 5 0 0 0 0-10zm.8 7.6h-1.6V19h1.6v1.6zm0-2.8h-1.6v-3.4h1.6v3.4z'
            />
        </svg>
    );
}

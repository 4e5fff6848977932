// What a guest with no channels sees instead of an empty client: a clear
// message, who to ask, and a way to check again or log out. Rendered as a
// root component; it draws nothing for anyone else.
import React, {useEffect, useState} from 'react';

import {getUser as fetchUser, logout} from 'mattermost-redux/actions/users';
import {Client4} from 'mattermost-redux/client';
import {getUsers} from 'mattermost-redux/selectors/entities/common';

import {useMe, usePluginDispatch, usePluginSelector} from '../../hooks';
import {useT} from '../../i18n';
import {loadMe} from '../../store/actions';
import {ErrorMessage} from '../common/error_message';

interface Contact {
    username: string;
    name: string;
}

/** The guest's inviter, when the server says who it is (profile from the client's store). */
function useInviter(inviterId: string | undefined): Contact | null {
    const dispatch = usePluginDispatch();
    const user = usePluginSelector((state) => (inviterId ? getUsers(state)[inviterId] : undefined));
    useEffect(() => {
        if (inviterId && !user) {
            dispatch(fetchUser(inviterId));
        }
    }, [dispatch, inviterId, user]);
    return user ? {username: user.username, name: [user.first_name, user.last_name].filter(Boolean).join(' ')} : null;
}

export interface NoChannelsScreenProps {
    contact: Contact | null;
    checking: boolean;
    error?: unknown;
    onCheckAgain: () => void;
    onLogout: () => void;
}

export function NoChannelsScreen({contact, checking, error, onCheckAgain, onLogout}: NoChannelsScreenProps) {
    const t = useT();
    let who: string;
    if (contact) {
        who = contact.name ? t('no_channels.contact_named', {name: contact.name, username: contact.username}) : t('no_channels.contact_username', {username: contact.username});
    } else {
        who = t('no_channels.contact_default');
    }
    return (
        <div
            className='ga-fullscreen'
            role='dialog'
            aria-modal='true'
            aria-labelledby='ga-no-channels-title'
            data-testid='no-channels'
        >
            <div className='ga-fullscreen__panel'>
                <h1 id='ga-no-channels-title'>{t('no_channels.title')}</h1>
                <p>{t('no_channels.body')}</p>
                <p>{t('no_channels.ask', {who})}</p>
                <ErrorMessage error={error}/>
                <div className='ga-fullscreen__actions'>
                    <button
                        type='button'
                        className='ga-button ga-button--primary'
                        onClick={onCheckAgain}
                        disabled={checking}
                        aria-busy={checking}
                    >
                        {checking ? t('no_channels.checking') : t('no_channels.check_again')}
                    </button>
                    <button
                        type='button'
                        className='ga-button ga-button--secondary'
                        onClick={onLogout}
                    >
                        {t('no_channels.logout')}
                    </button>
                </div>
            </div>
        </div>
    );
}

/** `onLoggedOut` replaces going to the login page (tests). */
export function NoChannelsRoot({onLoggedOut}: {onLoggedOut?: () => void}) {
    const dispatch = usePluginDispatch();
    const me = useMe();
    const [checking, setChecking] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const current = me.data;
    const waiting = Boolean(current?.is_guest && !current.has_channels);
    const contact = useInviter(waiting ? current?.invited_by : undefined);

    if (!current || !waiting) {
        return null;
    }

    const checkAgain = async () => {
        setChecking(true);
        await dispatch(loadMe(true));
        setChecking(false);
    };
    const signOut = async () => {
        setError(null);
        // mattermost-redux's logout ends the session (a failed request
        // changes nothing: the client forgets it anyway); then to the login page.
        const res = await (dispatch(logout()) as Promise<{error?: unknown}>);
        if (res?.error) {
            setError(res.error);
            return;
        }
        if (onLoggedOut) {
            onLoggedOut();
        } else {
            window.location.assign(`${Client4.getUrl()}/login`);
        }
    };
    return (
        <NoChannelsScreen
            contact={contact}
            checking={checking}
            error={error || me.error}
            onCheckAgain={checkAgain}
            onLogout={signOut}
        />
    );
}

// What a guest with no channels sees instead of an empty client: a clear
// message, who to ask, and a way to check again or log out. Rendered as a
// root component; it draws nothing for anyone else.
import React, {useEffect, useState} from 'react';

import type {Me} from '../../client';
import {useT} from '../../i18n';
import {siteURLFrom} from '../../services';
import {useObservable, useServices} from '../../services/context';
import {ErrorMessage} from '../common/error_message';

interface Contact {
    username: string;
    name: string;
}

/** The guest's inviter, when the server says who it is. */
function useInviter(me: Me | undefined): Contact | null {
    const {client} = useServices();
    const [contact, setContact] = useState<Contact | null>(null);
    const inviterId = me?.invited_by;
    useEffect(() => {
        let live = true;
        if (!inviterId) {
            setContact(null);
            return undefined;
        }
        client.getUser(inviterId).then(
            (u) => live && setContact({username: u.username, name: [u.first_name, u.last_name].filter(Boolean).join(' ')}),
            () => live && setContact(null),
        );
        return () => {
            live = false;
        };
    }, [client, inviterId]);
    return contact;
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

export function NoChannelsRoot({onLoggedOut}: {onLoggedOut?: () => void}) {
    const services = useServices();
    const {me, client} = services;
    useObservable(me);
    const [checking, setChecking] = useState(false);
    const [error, setError] = useState<unknown>(null);
    useEffect(() => {
        me.load();
    }, [me]);
    const current = me.current;
    const contact = useInviter(current?.is_guest && !current.has_channels ? current : undefined);

    if (!current || !current.is_guest || current.has_channels) {
        return null;
    }

    const checkAgain = async () => {
        setChecking(true);
        await me.load(true);
        setChecking(false);
    };
    const logout = async () => {
        setError(null);
        try {
            await client.logout();
        } catch (err) {
            setError(err);
            return;
        }
        if (onLoggedOut) {
            onLoggedOut();
        } else {
            window.location.assign(`${siteURLFrom(services.host).replace(/\/+$/, '')}/login`);
        }
    };
    return (
        <NoChannelsScreen
            contact={contact}
            checking={checking}
            error={error || me.lastError}
            onCheckAgain={checkAgain}
            onLogout={logout}
        />
    );
}

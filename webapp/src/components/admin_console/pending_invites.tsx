// Pending invitations with resend (new link, old one dead) and revoke.
import React, {useEffect, useState} from 'react';

import type {Client, Invite} from '../../client';
import {useLocale, useT} from '../../i18n';
import {ErrorMessage} from '../common/error_message';

import {ConfirmButton} from './confirm_button';
import {formatDateTime, useUsernames} from './format';

function InviteRow({invite, client, inviter, onChanged}: {invite: Invite; client: Client; inviter: string; onChanged: (id: string, next: Invite | null) => void}) {
    const t = useT();
    const locale = useLocale();
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [notice, setNotice] = useState('');

    const run = async (action: () => Promise<Invite>, removes: boolean, done: string) => {
        setBusy(true);
        setError(null);
        setNotice('');
        try {
            const next = await action();
            setNotice(done);
            onChanged(invite.id, removes ? null : next);
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };

    return (
        <tr data-testid='invite-row'>
            <td>{invite.email}</td>
            <td>{inviter ? `@${inviter}` : invite.inviter_id}</td>
            <td>{formatDateTime(invite.created_at, locale)}</td>
            <td>{formatDateTime(invite.expires_at, locale)}</td>
            <td>{String(invite.channel_ids?.length ?? 0)}</td>
            <td className='ga-actions'>
                <button
                    type='button'
                    className='ga-button ga-button--small'
                    disabled={busy}
                    onClick={() => run(() => client.resendInvite(invite.id), false, t('dashboard.invites.resent', {email: invite.email}))}
                >
                    {t('dashboard.invites.resend')}
                </button>
                <ConfirmButton
                    label={t('dashboard.invites.revoke')}
                    question={t('dashboard.invites.confirm_revoke', {email: invite.email})}
                    disabled={busy}
                    danger={true}
                    onConfirm={() => run(() => client.revokeInvite(invite.id), true, '')}
                />
                {notice && <span role='status'>{notice}</span>}
                <ErrorMessage error={error}/>
            </td>
        </tr>
    );
}

export function PendingInvites({client, refresh, onChanged}: {client: Client; refresh: number; onChanged: () => void}) {
    const t = useT();
    const [invites, setInvites] = useState<Invite[] | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [attempt, setAttempt] = useState(0);
    const names = useUsernames(client, (invites ?? []).map((i) => i.inviter_id));

    useEffect(() => {
        let live = true;
        setError(null);
        client.listInvites('pending').then(
            (list) => live && setInvites(list),
            (err: unknown) => live && setError(err),
        );
        return () => {
            live = false;
        };
    }, [client, attempt, refresh]);

    const changed = (id: string, next: Invite | null) => {
        setInvites((cur) => (cur ? (next ? cur.map((i) => (i.id === id ? next : i)) : cur.filter((i) => i.id !== id)) : cur));
        onChanged();
    };

    return (
        <section
            className='ga-section'
            aria-labelledby='ga-invites-title'
        >
            <h3 id='ga-invites-title'>{t('dashboard.invites.title')}</h3>
            <ErrorMessage
                error={error}
                onRetry={() => setAttempt((n) => n + 1)}
            />
            {!error && invites === null && <p role='status'>{t('common.loading')}</p>}
            {invites !== null && invites.length === 0 && <p>{t('dashboard.invites.none')}</p>}
            {invites !== null && invites.length > 0 && (
                <table className='ga-table'>
                    <thead>
                        <tr>
                            <th scope='col'>{t('dashboard.invites.col_email')}</th>
                            <th scope='col'>{t('dashboard.invites.col_inviter')}</th>
                            <th scope='col'>{t('dashboard.invites.col_sent')}</th>
                            <th scope='col'>{t('dashboard.invites.col_expires')}</th>
                            <th scope='col'>{t('dashboard.invites.col_channels')}</th>
                            <th scope='col'>{t('dashboard.invites.col_actions')}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {invites.map((i) => (
                            <InviteRow
                                key={i.id}
                                invite={i}
                                client={client}
                                inviter={names.get(i.inviter_id) ?? ''}
                                onChanged={changed}
                            />
                        ))}
                    </tbody>
                </table>
            )}
        </section>
    );
}

// Pending invitations with resend (new link, old one dead) and revoke.
import React, {useState} from 'react';

import {Client} from '../../client';
import {useT} from '../../i18n';
import type {Invite} from '../../types/api';
import {ErrorMessage} from '../common/error_message';

import {ConfirmButton} from './confirm_button';
import {useFormatDate} from './format';
import {INVITES_PER_PAGE, usePendingInvites, useUsernames} from './lists';
import {Pager} from './pager';

function InviteRow({invite, inviter, onChanged}: {invite: Invite; inviter: string; onChanged: (id: string, next: Invite | null) => void}) {
    const t = useT();
    const fmt = useFormatDate();
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
            <td>{fmt.dateTime(invite.created_at)}</td>
            <td>{fmt.dateTime(invite.expires_at)}</td>
            <td>{String(invite.channel_ids?.length ?? 0)}</td>
            <td className='ga-actions'>
                <button
                    type='button'
                    className='ga-button ga-button--small'
                    disabled={busy}
                    onClick={() => run(() => Client.resendInvite(invite.id), false, t('dashboard.invites.resent', {email: invite.email}))}
                >
                    {t('dashboard.invites.resend')}
                </button>
                <ConfirmButton
                    label={t('dashboard.invites.revoke')}
                    question={t('dashboard.invites.confirm_revoke', {email: invite.email})}
                    disabled={busy}
                    danger={true}
                    onConfirm={() => run(() => Client.revokeInvite(invite.id), true, '')}
                />
                {notice && <span role='status'>{notice}</span>}
                <ErrorMessage error={error}/>
            </td>
        </tr>
    );
}

export function PendingInvites({refresh, onChanged}: {refresh: number; onChanged: () => void}) {
    const t = useT();
    const [page, setPage] = useState(0);
    const {data, error, retry, set} = usePendingInvites(page, refresh);
    const invites = data?.invites ?? null;
    const names = useUsernames((invites ?? []).map((i) => i.inviter_id));

    const changed = (id: string, next: Invite | null) => {
        set((cur) => ({
            invites: next ? cur.invites.map((i) => (i.id === id ? next : i)) : cur.invites.filter((i) => i.id !== id),
            total: next ? cur.total : Math.max(0, cur.total - 1),
        }));
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
                onRetry={retry}
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
                                inviter={names.get(i.inviter_id) ?? ''}
                                onChanged={changed}
                            />
                        ))}
                    </tbody>
                </table>
            )}
            <Pager
                page={page}
                perPage={INVITES_PER_PAGE}
                total={data?.total ?? 0}
                labelId='dashboard.invites.page'
                onPage={setPage}
            />
        </section>
    );
}

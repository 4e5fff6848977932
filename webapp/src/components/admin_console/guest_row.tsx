// One guest in the dashboard list: status, activity, expiry, and the admin
// actions (promote, deactivate/activate; the rest in the details).
import React, {useId, useState} from 'react';

import {Client} from '../../client';
import {useT} from '../../i18n';
import type {Guest} from '../../types/api';
import {ErrorMessage} from '../common/error_message';

import {ConfirmButton} from './confirm_button';
import {useFormatDate} from './format';
import {GuestDetails} from './guest_details';
import {REASON_LABEL, RULE_LABEL} from './labels';

export interface GuestRowProps {
    guest: Guest;

    /** The guest after an action; null when it is no longer a guest (promoted). */
    onUpdated: (userId: string, guest: Guest | null) => void;
}

export function GuestRow({guest, onUpdated}: GuestRowProps) {
    const t = useT();
    const fmt = useFormatDate();
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [errorInDetails, setErrorInDetails] = useState(false);
    const [open, setOpen] = useState(false);
    const detailsId = useId();

    const run = async (action: () => Promise<Guest | null>, inDetails = false) => {
        setBusy(true);
        setError(null);
        setErrorInDetails(inDetails);
        try {
            const updated = await action();
            onUpdated(guest.user_id, updated);
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };

    const name = [guest.first_name, guest.last_name].filter(Boolean).join(' ');
    const active = guest.status === 'active';
    const reason = guest.deactivated_reason ? REASON_LABEL[guest.deactivated_reason] : undefined;
    const rule = guest.rule ? RULE_LABEL[guest.rule] : undefined;

    return (
        <>
            <tr data-testid='guest-row'>
                <td>
                    <div className='ga-strong'>{`@${guest.username}`}</div>
                    <div className='ga-hint'>{[name, guest.email].filter(Boolean).join(' · ')}</div>
                    {rule && <div className='ga-hint'>{t('guest.rule.made_by', {rule: t(rule)})}</div>}
                </td>
                <td>
                    {active ? t('guest.status.active') : t('guest.status.deactivated')}
                    {!active && reason && <div className='ga-hint'>{t(reason)}</div>}
                </td>
                <td>{guest.last_activity_at ? fmt.date(guest.last_activity_at) : t('common.never')}</td>
                <td>{guest.expires_at ? fmt.date(guest.expires_at) : t('guest.expires.never')}</td>
                <td>{guest.single_channel ? t('guest.channels_single', {count: guest.channel_ids?.length ?? 0}) : String(guest.channel_ids?.length ?? 0)}</td>
                <td className='ga-actions'>
                    <button
                        type='button'
                        className='ga-button ga-button--small ga-button--secondary'
                        aria-expanded={open}
                        aria-controls={detailsId}
                        onClick={() => setOpen(!open)}
                    >
                        {t('guest.action.manage')}
                    </button>
                    {active ? (
                        <ConfirmButton
                            label={t('guest.action.deactivate')}
                            question={t('guest.confirm.deactivate', {username: guest.username})}
                            disabled={busy}
                            danger={true}
                            onConfirm={() => run(() => Client.deactivateGuest(guest.user_id))}
                        />
                    ) : (
                        <button
                            type='button'
                            className='ga-button ga-button--small'
                            disabled={busy}
                            onClick={() => run(() => Client.activateGuest(guest.user_id))}
                        >
                            {t('guest.action.activate')}
                        </button>
                    )}
                    <ConfirmButton
                        label={t('guest.action.promote')}
                        question={t('guest.confirm.promote', {username: guest.username})}
                        disabled={busy}
                        onConfirm={() => run(async () => {
                            await Client.promoteGuest(guest.user_id);
                            return null;
                        })}
                    />
                    {!errorInDetails && <ErrorMessage error={error}/>}
                </td>
            </tr>
            {open && (
                <tr id={detailsId}>
                    <td colSpan={6}>
                        <GuestDetails
                            guest={guest}
                            busy={busy}
                            error={errorInDetails ? error : null}
                            onPatch={(patch) => run(() => Client.patchGuest(guest.user_id, patch), true)}
                        />
                    </td>
                </tr>
            )}
        </>
    );
}

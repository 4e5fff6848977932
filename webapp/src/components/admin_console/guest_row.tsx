// One guest in the dashboard list: status, activity, expiry, and the admin
// actions (promote, deactivate/activate, expiry, restrictions).
import React, {useId, useState} from 'react';

import {RESTRICTION_KEYS} from '../../client';
import type {Client, Guest, RestrictionKey} from '../../client';
import {useLocale, useT} from '../../i18n';
import type {MessageId} from '../../i18n';
import {dateInputValue, endOfDay} from '../common/dates';
import {ErrorMessage} from '../common/error_message';

import {ConfirmButton} from './confirm_button';
import {formatDate} from './format';

const RESTRICTION_LABEL: Record<RestrictionKey, MessageId> = {
    upload_files: 'restriction.upload_files',
    download_files: 'restriction.download_files',
    edit_own_posts: 'restriction.edit_own_posts',
    react: 'restriction.react',
    create_private_channels: 'restriction.create_private_channels',
    direct_messages: 'restriction.direct_messages',
};

const REASON_LABEL: Record<string, MessageId> = {
    admin: 'guest.reason.admin',
    switch: 'guest.reason.switch',
    plugin_disabled: 'guest.reason.plugin_disabled',
    expired: 'guest.reason.expired',
    domain: 'guest.reason.domain',
};

export interface GuestRowProps {
    guest: Guest;
    client: Client;

    /** The guest after an action; null when it is no longer a guest (promoted). */
    onUpdated: (userId: string, guest: Guest | null) => void;
}

export function GuestRow({guest, client, onUpdated}: GuestRowProps) {
    const t = useT();
    const locale = useLocale();
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [open, setOpen] = useState(false);
    const detailsId = useId();

    const run = async (action: () => Promise<Guest | null>) => {
        setBusy(true);
        setError(null);
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

    return (
        <>
            <tr data-testid='guest-row'>
                <td>
                    <div className='ga-strong'>{`@${guest.username}`}</div>
                    <div className='ga-hint'>{[name, guest.email].filter(Boolean).join(' · ')}</div>
                </td>
                <td>
                    {active ? t('guest.status.active') : t('guest.status.deactivated')}
                    {!active && reason && <div className='ga-hint'>{t(reason)}</div>}
                </td>
                <td>{guest.last_activity_at ? formatDate(guest.last_activity_at, locale) : t('common.never')}</td>
                <td>{guest.expires_at ? formatDate(guest.expires_at, locale) : t('guest.expires.never')}</td>
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
                            onConfirm={() => run(() => client.deactivateGuest(guest.user_id))}
                        />
                    ) : (
                        <button
                            type='button'
                            className='ga-button ga-button--small'
                            disabled={busy}
                            onClick={() => run(() => client.activateGuest(guest.user_id))}
                        >
                            {t('guest.action.activate')}
                        </button>
                    )}
                    <ConfirmButton
                        label={t('guest.action.promote')}
                        question={t('guest.confirm.promote', {username: guest.username})}
                        disabled={busy}
                        onConfirm={() => run(async () => {
                            await client.promoteGuest(guest.user_id);
                            return null;
                        })}
                    />
                    <ErrorMessage error={error}/>
                </td>
            </tr>
            {open && (
                <tr id={detailsId}>
                    <td colSpan={6}>
                        <GuestDetails
                            guest={guest}
                            busy={busy}
                            onPatch={(patch) => run(() => client.patchGuest(guest.user_id, patch))}
                        />
                    </td>
                </tr>
            )}
        </>
    );
}

function GuestDetails({guest, busy, onPatch}: {guest: Guest; busy: boolean; onPatch: (patch: Parameters<Client['patchGuest']>[1]) => void}) {
    const t = useT();
    const ids = {expiry: useId(), restrictions: useId()};
    const [expiry, setExpiry] = useState(guest.expires_at ? dateInputValue(new Date(guest.expires_at)) : '');
    const [expiryError, setExpiryError] = useState('');

    const saveExpiry = () => {
        const at = endOfDay(expiry);
        if (!(at > Date.now())) {
            setExpiryError(t('guest.expires.invalid'));
            return;
        }
        setExpiryError('');
        onPatch({expires_at: at});
    };

    return (
        <div
            className='ga-guest-details'
            aria-label={t('guest.details_label', {username: guest.username})}
            role='group'
        >
            <div className='ga-field'>
                <label
                    className='ga-label'
                    htmlFor={ids.expiry}
                >
                    {t('guest.expires.label')}
                </label>
                <input
                    id={ids.expiry}
                    type='date'
                    className='ga-input ga-input--inline'
                    value={expiry}
                    disabled={busy}
                    onChange={(e) => setExpiry(e.target.value)}
                />
                <button
                    type='button'
                    className='ga-button ga-button--small'
                    disabled={busy || !expiry}
                    onClick={saveExpiry}
                >
                    {t('guest.expires.save')}
                </button>
                {guest.expires_at > 0 && (
                    <button
                        type='button'
                        className='ga-button ga-button--small ga-button--secondary'
                        disabled={busy}
                        onClick={() => {
                            setExpiry('');
                            onPatch({expires_at: 0});
                        }}
                    >
                        {t('guest.expires.clear')}
                    </button>
                )}
                {expiryError && <div className='ga-hint ga-hint--error' role='alert'>{expiryError}</div>}
            </div>
            <fieldset className='ga-fieldset'>
                <legend id={ids.restrictions}>{t('guest.restrictions.title')}</legend>
                {RESTRICTION_KEYS.map((key) => {
                    const override = guest.restriction_overrides?.[key];
                    const effective = guest.restrictions?.[key];
                    const value = override === true ? 'allow' : override === false ? 'deny' : 'default';
                    const selectId = `${ids.restrictions}-${key}`;
                    return (
                        <div
                            key={key}
                            className='ga-restriction'
                        >
                            <label htmlFor={selectId}>{t(RESTRICTION_LABEL[key])}</label>
                            <select
                                id={selectId}
                                className='ga-input ga-input--inline'
                                value={value}
                                disabled={busy}
                                onChange={(e) => {
                                    const v = e.target.value;
                                    onPatch({restrictions: {[key]: v === 'allow' ? true : v === 'deny' ? false : null}});
                                }}
                            >
                                <option value='default'>
                                    {t('guest.restrictions.default', {value: value === 'default' && effective === false ? t('guest.restrictions.denied') : value === 'default' ? t('guest.restrictions.allowed') : t('guest.restrictions.settings')})}
                                </option>
                                <option value='allow'>{t('guest.restrictions.allowed')}</option>
                                <option value='deny'>{t('guest.restrictions.denied')}</option>
                            </select>
                        </div>
                    );
                })}
            </fieldset>
        </div>
    );
}

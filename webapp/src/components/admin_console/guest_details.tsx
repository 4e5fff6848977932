// A guest's settings in the dashboard, opened from the row's "Manage": one
// row per per-guest setting, in the order of the generated GUEST_FIELDS
// (server/policy defines them once). Every change is one PATCH
// /guests/{id}; the row shows the guest the server answers with, so a
// refused change leaves the controls as they were, with the error here.
import React, {useId, useState} from 'react';

import {GUEST_FIELDS, RESTRICTION_LABEL_IDS} from '../../generated/guest_fields';
import type {GuestFieldKey} from '../../generated/guest_fields';
import {useT} from '../../i18n';
import {RESTRICTION_KEYS} from '../../types/api';
import type {Guest, PatchGuestRequest, RestrictionKey, RestrictionOverrides} from '../../types/api';
import {dateInputValue, endOfDay} from '../common/dates';
import {ErrorMessage} from '../common/error_message';

import {useFormatDate} from './format';

type MFAChoice = 'default' | 'required' | 'not_required';

function mfaChoice(override: boolean | null | undefined): MFAChoice {
    if (override === true) {
        return 'required';
    }
    return override === false ? 'not_required' : 'default';
}

const MFA_PATCH: Record<MFAChoice, boolean | null> = {default: null, required: true, not_required: false};

export interface GuestDetailsProps {
    guest: Guest;
    busy: boolean;
    error: unknown;
    onPatch: (patch: PatchGuestRequest) => void;
}

export function GuestDetails({guest, busy, error, onPatch}: GuestDetailsProps) {
    const t = useT();
    const fmt = useFormatDate();
    const ids = {expiry: useId(), single: useId(), singleHint: useId(), mfa: useId(), mfaHint: useId(), restrictions: useId()};
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

    // The server replaces the whole override set, so every change sends all of it.
    const patchRestriction = (key: RestrictionKey, value: boolean | null) => {
        const overrides: RestrictionOverrides = {};
        for (const k of RESTRICTION_KEYS) {
            overrides[k] = guest.restriction_overrides?.[k] ?? null;
        }
        overrides[key] = value;
        onPatch({restrictions: overrides});
    };

    const mfa = mfaChoice(guest.require_mfa_override);
    let mfaDefault: string;
    if (mfa !== 'default') {
        mfaDefault = t('guest.mfa.default');
    } else {
        mfaDefault = t('guest.mfa.default_is', {value: guest.require_mfa ? t('guest.mfa.default_required') : t('guest.mfa.default_not_required')});
    }

    // One row per per-guest setting, in the order of GUEST_FIELDS; a
    // setting added to server/policy fails the type check here until it
    // has its row.
    const rows: Record<GuestFieldKey, React.ReactNode> = {
        expires_at: (
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
                {guest.reminder_sent_at > 0 && (
                    <div className='ga-hint'>{t('guest.expires.reminder_sent', {date: fmt.date(guest.reminder_sent_at)})}</div>
                )}
                {expiryError && <div className='ga-hint ga-hint--error' role='alert'>{expiryError}</div>}
            </div>
        ),
        single_channel: (
            <div className='ga-field'>
                <label
                    className='ga-label'
                    htmlFor={ids.single}
                >
                    <input
                        id={ids.single}
                        type='checkbox'
                        checked={guest.single_channel}
                        disabled={busy}
                        aria-describedby={ids.singleHint}
                        onChange={(e) => onPatch({single_channel: e.target.checked})}
                    />
                    {' '}{t('guest.single.label')}
                </label>
                <div
                    id={ids.singleHint}
                    className='ga-hint'
                >
                    {t('guest.single.hint')}
                </div>
            </div>
        ),
        restrictions: (
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
                            <label htmlFor={selectId}>{t(RESTRICTION_LABEL_IDS[key])}</label>
                            <select
                                id={selectId}
                                className='ga-input ga-input--inline'
                                value={value}
                                disabled={busy}
                                onChange={(e) => {
                                    const v = e.target.value;
                                    patchRestriction(key, v === 'allow' ? true : v === 'deny' ? false : null);
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
        ),
        require_mfa: (
            <div className='ga-field'>
                <label
                    className='ga-label'
                    htmlFor={ids.mfa}
                >
                    {t('guest.mfa.label')}
                </label>
                <select
                    id={ids.mfa}
                    className='ga-input ga-input--inline'
                    value={mfa}
                    disabled={busy}
                    aria-describedby={ids.mfaHint}
                    onChange={(e) => onPatch({require_mfa: MFA_PATCH[e.target.value as MFAChoice]})}
                >
                    <option value='default'>{mfaDefault}</option>
                    <option value='required'>{t('guest.mfa.required')}</option>
                    <option value='not_required'>{t('guest.mfa.not_required')}</option>
                </select>
                <div
                    id={ids.mfaHint}
                    className='ga-hint'
                    data-testid='mfa-status'
                >
                    {guest.require_mfa ? t('guest.mfa.effective_required') : t('guest.mfa.effective_not_required')}
                    {' · '}
                    {guest.mfa_active ? t('guest.mfa.active') : t('guest.mfa.inactive')}
                    {guest.require_mfa && !guest.mfa_active && (
                        <span className='ga-warning'>{` ${t('guest.mfa.blocked')}`}</span>
                    )}
                </div>
            </div>
        ),
    };

    return (
        <div
            className='ga-guest-details'
            aria-label={t('guest.details_label', {username: guest.username})}
            role='group'
        >
            <ErrorMessage error={error}/>
            {GUEST_FIELDS.map(({key}) => <React.Fragment key={key}>{rows[key]}</React.Fragment>)}
        </div>
    );
}

// "Create a guest": every field POST /guests takes (docs/api.md), the way
// Rocket.Chat's admin form offers them: name, username, email, nickname,
// position, status message, a password or a random one sent by email,
// require a password change, channels, welcome email, expiry date and
// single-channel. The server checks everything again and its refusals are
// shown in words next to the form.
import React, {useId, useState} from 'react';

import {Client} from '../../client';
import {useT} from '../../i18n';
import type {MessageId} from '../../i18n';
import type {CreateGuestRequest, Guest} from '../../types/api';
import {dateInputValue, endOfDay} from '../common/dates';
import {ErrorMessage} from '../common/error_message';
import {ChannelPicker, useChannelOptions} from '../invite_modal/channel_picker';

type TextField = 'email' | 'username' | 'first_name' | 'last_name' | 'nickname' | 'position' | 'status_message';

const TEXT_FIELDS: Array<{name: TextField; label: MessageId; type?: string; required?: boolean}> = [
    {name: 'email', label: 'create.email', type: 'email', required: true},
    {name: 'username', label: 'create.username', required: true},
    {name: 'first_name', label: 'create.first_name'},
    {name: 'last_name', label: 'create.last_name'},
    {name: 'nickname', label: 'create.nickname'},
    {name: 'position', label: 'create.position'},
    {name: 'status_message', label: 'create.status_message'},
];

const EMPTY: Record<TextField, string> = {email: '', username: '', first_name: '', last_name: '', nickname: '', position: '', status_message: ''};

export function CreateGuestForm({onCreated}: {onCreated: (guest: Guest) => void}) {
    const t = useT();
    const formId = useId();
    const ids = {password: useId(), random: useId(), change: useId(), welcome: useId(), expiry: useId(), single: useId(), channels: useId()};
    const [open, setOpen] = useState(false);
    const [fields, setFields] = useState(EMPTY);
    const [randomPassword, setRandomPassword] = useState(true);
    const [password, setPassword] = useState('');
    const [requireChange, setRequireChange] = useState(true);
    const [welcome, setWelcome] = useState(true);
    const [expiry, setExpiry] = useState('');
    const [single, setSingle] = useState(false);
    const [channelIds, setChannelIds] = useState<string[]>([]);
    const {options, teams, error: channelsError, retry} = useChannelOptions();
    const [problems, setProblems] = useState<MessageId[]>([]);
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [created, setCreated] = useState<Guest | null>(null);

    const submit = async (e: React.FormEvent) => {
        e.preventDefault();
        const found: MessageId[] = [];
        if (!fields.email.trim()) {
            found.push('create.error.email');
        }
        if (!fields.username.trim()) {
            found.push('create.error.username');
        }
        if (!randomPassword && !password) {
            found.push('create.error.password');
        }
        const expiresAt = expiry ? endOfDay(expiry) : 0;
        if (expiry && !(expiresAt > Date.now())) {
            found.push('create.error.expiry_past');
        }
        if (single && channelIds.length > 1) {
            found.push('create.error.single_channel');
        }
        setProblems(found);
        if (found.length > 0) {
            return;
        }
        const req: CreateGuestRequest = {
            ...fields,
            email: fields.email.trim(),
            username: fields.username.trim(),
            random_password: randomPassword,
            password: randomPassword ? undefined : password,
            require_password_change: requireChange,
            send_welcome_email: welcome || randomPassword,
            channel_ids: channelIds,
            expires_at: expiresAt || undefined,
            single_channel: single,
        };
        setBusy(true);
        setError(null);
        setCreated(null);
        try {
            const guest = await Client.createGuest(req);
            setCreated(guest);
            setFields(EMPTY);
            setPassword('');
            setChannelIds([]);
            setExpiry('');
            setSingle(false);
            onCreated(guest);
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };

    return (
        <section
            className='ga-section'
            aria-labelledby={`${formId}-title`}
            data-testid='create-guest'
        >
            <h3 id={`${formId}-title`}>{t('create.title')}</h3>
            {!open && (
                <button
                    type='button'
                    className='ga-button ga-button--small'
                    onClick={() => setOpen(true)}
                >
                    {t('create.open')}
                </button>
            )}
            {created && (
                <p
                    role='status'
                    className='ga-ok'
                >
                    {t('create.done', {username: created.username})}
                </p>
            )}
            {open && (
                <form
                    id={formId}
                    noValidate={true}
                    onSubmit={submit}
                    aria-busy={busy}
                    className='ga-form'
                >
                    <div className='ga-form__grid'>
                        {TEXT_FIELDS.map((f) => (
                            <div
                                key={f.name}
                                className='ga-field'
                            >
                                <label
                                    className='ga-label'
                                    htmlFor={`${formId}-${f.name}`}
                                >
                                    {t(f.label)}{f.required ? ' *' : ''}
                                </label>
                                <input
                                    id={`${formId}-${f.name}`}
                                    className='ga-input'
                                    type={f.type ?? 'text'}
                                    value={fields[f.name]}
                                    disabled={busy}
                                    autoComplete='off'
                                    required={f.required}
                                    onChange={(ev) => setFields({...fields, [f.name]: ev.target.value})}
                                />
                            </div>
                        ))}
                    </div>
                    <fieldset className='ga-fieldset'>
                        <legend>{t('create.password_legend')}</legend>
                        <label htmlFor={ids.random}>
                            <input
                                id={ids.random}
                                type='checkbox'
                                checked={randomPassword}
                                disabled={busy}
                                onChange={(ev) => setRandomPassword(ev.target.checked)}
                            />
                            {' '}{t('create.random_password')}
                        </label>
                        {!randomPassword && (
                            <div className='ga-field'>
                                <label
                                    className='ga-label'
                                    htmlFor={ids.password}
                                >
                                    {t('create.password')}
                                </label>
                                <input
                                    id={ids.password}
                                    className='ga-input'
                                    type='password'
                                    autoComplete='new-password'
                                    value={password}
                                    disabled={busy}
                                    onChange={(ev) => setPassword(ev.target.value)}
                                />
                            </div>
                        )}
                        <label htmlFor={ids.change}>
                            <input
                                id={ids.change}
                                type='checkbox'
                                checked={requireChange}
                                disabled={busy}
                                onChange={(ev) => setRequireChange(ev.target.checked)}
                            />
                            {' '}{t('create.require_password_change')}
                        </label>
                        <label htmlFor={ids.welcome}>
                            <input
                                id={ids.welcome}
                                type='checkbox'
                                checked={welcome || randomPassword}
                                disabled={busy || randomPassword}
                                aria-describedby={randomPassword ? `${ids.welcome}-hint` : undefined}
                                onChange={(ev) => setWelcome(ev.target.checked)}
                            />
                            {' '}{t('create.send_welcome_email')}
                        </label>
                        {randomPassword && (
                            <div
                                id={`${ids.welcome}-hint`}
                                className='ga-hint'
                            >
                                {t('create.welcome_required')}
                            </div>
                        )}
                    </fieldset>
                    <label
                        className='ga-label'
                        htmlFor={ids.channels}
                    >
                        {t('create.channels')}
                    </label>
                    <ChannelPicker
                        inputId={ids.channels}
                        options={options}
                        teams={teams}
                        error={channelsError}
                        onRetry={retry}
                        selected={channelIds}
                        onChange={setChannelIds}
                        disabled={busy}
                    />
                    <div className='ga-field'>
                        <label
                            className='ga-label'
                            htmlFor={ids.expiry}
                        >
                            {t('create.expiry')}
                        </label>
                        <input
                            id={ids.expiry}
                            type='date'
                            className='ga-input ga-input--inline'
                            min={dateInputValue(new Date())}
                            value={expiry}
                            disabled={busy}
                            onChange={(ev) => setExpiry(ev.target.value)}
                        />
                    </div>
                    <label htmlFor={ids.single}>
                        <input
                            id={ids.single}
                            type='checkbox'
                            checked={single}
                            disabled={busy}
                            onChange={(ev) => setSingle(ev.target.checked)}
                        />
                        {' '}{t('create.single_channel')}
                    </label>
                    {problems.length > 0 && (
                        <ul
                            className='ga-error ga-plain-list'
                            role='alert'
                        >
                            {problems.map((id) => <li key={id}>{t(id)}</li>)}
                        </ul>
                    )}
                    <ErrorMessage
                        title={t('create.failed')}
                        error={error}
                    />
                    <div className='ga-toolbar'>
                        <button
                            type='submit'
                            className='ga-button ga-button--primary'
                            disabled={busy}
                        >
                            {busy ? t('create.creating') : t('create.submit')}
                        </button>
                        <button
                            type='button'
                            className='ga-button ga-button--secondary'
                            disabled={busy}
                            onClick={() => setOpen(false)}
                        >
                            {t('common.close')}
                        </button>
                    </div>
                </form>
            )}
        </section>
    );
}

// The "Invite guests" modal: addresses, channels across teams, an optional
// message and expiry date; then the per-address results.
import React, {useEffect, useId, useMemo, useState} from 'react';

import {Client} from '../../client';
import {useMe, usePluginDispatch, usePluginSelector} from '../../hooks';
import {useT} from '../../i18n';
import type {MessageId} from '../../i18n';
import {closeModal} from '../../store/actions';
import {getModal} from '../../store/selectors';
import type {InviteResult} from '../../types/api';
import {dateInputValue, endOfDay} from '../common/dates';
import {Dialog} from '../common/dialog';
import {ErrorMessage} from '../common/error_message';

import {ChannelPicker, useChannelOptions} from './channel_picker';
import {EmailChips} from './email_chips';
import {InviteResults} from './invite_results';
import {checkEmail, parseAllowList} from './validation';
import type {EmailCheck} from './validation';

export const MAX_MESSAGE_LENGTH = 1000;

export interface InviteModalProps {
    onClose: () => void;

    /** Preselected channel (from the channel header button). */
    initialChannelId?: string;
}

export function InviteModal({onClose, initialChannelId}: InviteModalProps) {
    const t = useT();
    const me = useMe();

    const ids = {emails: useId(), channels: useId(), message: useId(), expiry: useId(), single: useId(), form: useId()};
    const allowedDomains = useMemo(() => me.data?.allowed_domains ?? [], [me.data]);
    const allow = useMemo(() => parseAllowList(allowedDomains), [allowedDomains]);

    const [chips, setChips] = useState<EmailCheck[]>([]);
    const [draft, setDraft] = useState('');
    const {options, teams, error: channelsError, retry} = useChannelOptions();
    const [channelIds, setChannelIds] = useState<string[]>(initialChannelId ? [initialChannelId] : []);
    const [message, setMessage] = useState('');
    const [expiry, setExpiry] = useState('');
    const [singleChannel, setSingleChannel] = useState(false);
    const [formErrors, setFormErrors] = useState<MessageId[]>([]);
    const [sending, setSending] = useState(0);
    const [apiError, setApiError] = useState<unknown>(null);
    const [results, setResults] = useState<InviteResult[] | null>(null);

    // The allow-list may arrive after addresses were typed: check them again.
    useEffect(() => {
        setChips((cs) => cs.map((c) => checkEmail(c.input, allow)));
    }, [allow]);

    // A preselected direct or group message channel is not offered: drop it.
    useEffect(() => {
        if (options && initialChannelId && !options.some((o) => o.id === initialChannelId)) {
            setChannelIds((cur) => cur.filter((id) => id !== initialChannelId));
        }
    }, [options, initialChannelId]);

    const submit = async (e: React.FormEvent) => {
        e.preventDefault();
        if (sending) {
            return;
        }
        let all = chips;
        if (draft.trim()) {
            const check = checkEmail(draft.trim(), allow);
            if (!all.some((c) => c.email.toLowerCase() === check.email.toLowerCase())) {
                all = [...all, check];
            }
            setChips(all);
            setDraft('');
        }
        const guestExpiresAt = expiry ? endOfDay(expiry) : 0;
        const errors: MessageId[] = [];
        if (all.length === 0) {
            errors.push('invite.error.no_emails');
        } else if (all.some((c) => c.problem)) {
            errors.push('invite.error.fix_emails');
        }
        if (channelIds.length === 0) {
            errors.push('invite.error.no_channels');
        }
        if (expiry && !(guestExpiresAt > Date.now())) {
            errors.push('invite.error.expiry_past');
        }
        if (singleChannel && channelIds.length > 1) {
            errors.push('invite.error.single_channel');
        }
        setFormErrors(errors);
        if (errors.length > 0) {
            return;
        }

        setSending(all.length);
        setApiError(null);
        try {
            const res = await Client.createInvites({
                emails: all.map((c) => c.email),
                channel_ids: channelIds,
                message: message.trim() || undefined,
                guest_expires_at: guestExpiresAt || undefined,
                single_channel: singleChannel || undefined,
            });
            setResults(res);
        } catch (err) {
            setApiError(err);
        } finally {
            setSending(0);
        }
    };

    const inviteMore = () => {
        setResults(null);
        setChips([]);
        setDraft('');
        setApiError(null);
    };

    if (results) {
        return (
            <Dialog
                title={t('invite.title')}
                onClose={onClose}
                className='ga-invite-modal'
                footer={(
                    <>
                        <button
                            type='button'
                            className='ga-button ga-button--secondary'
                            onClick={inviteMore}
                        >
                            {t('invite.more')}
                        </button>
                        <button
                            type='button'
                            className='ga-button ga-button--primary'
                            onClick={onClose}
                        >
                            {t('common.done')}
                        </button>
                    </>
                )}
            >
                <InviteResults results={results}/>
            </Dialog>
        );
    }

    const cannotInvite = me.data && !me.data.can_invite;
    const today = dateInputValue(new Date());

    return (
        <Dialog
            title={t('invite.title')}
            onClose={onClose}
            className='ga-invite-modal'
            initialFocusId={ids.emails}
            footer={(
                <>
                    <button
                        type='button'
                        className='ga-button ga-button--secondary'
                        onClick={onClose}
                    >
                        {t('common.cancel')}
                    </button>
                    <button
                        type='submit'
                        form={ids.form}
                        className='ga-button ga-button--primary'
                        disabled={sending > 0 || Boolean(cannotInvite)}
                        aria-busy={sending > 0}
                    >
                        {sending > 0 ? t('invite.sending') : t('invite.send')}
                    </button>
                </>
            )}
        >
            <form
                id={ids.form}
                noValidate={true}
                onSubmit={submit}
                aria-busy={sending > 0}
            >
                {me.error && !me.data && <ErrorMessage error={me.error}/>}
                {cannotInvite && <p role='alert'>{t('invite.not_allowed')}</p>}

                <label
                    className='ga-label'
                    htmlFor={ids.emails}
                >
                    {t('invite.email.label')}
                </label>
                <EmailChips
                    inputId={ids.emails}
                    chips={chips}
                    onChange={setChips}
                    draft={draft}
                    onDraftChange={setDraft}
                    allow={allow}
                    allowedDomains={allowedDomains}
                    disabled={sending > 0}
                />

                <label
                    className='ga-label'
                    htmlFor={ids.channels}
                >
                    {t('invite.channels.label')}
                </label>
                <ChannelPicker
                    inputId={ids.channels}
                    options={options}
                    teams={teams}
                    error={channelsError}
                    onRetry={retry}
                    selected={channelIds}
                    onChange={setChannelIds}
                    disabled={sending > 0}
                />

                <label
                    className='ga-label'
                    htmlFor={ids.message}
                >
                    {t('invite.message.label')}
                </label>
                <textarea
                    id={ids.message}
                    className='ga-input'
                    rows={3}
                    maxLength={MAX_MESSAGE_LENGTH}
                    value={message}
                    disabled={sending > 0}
                    placeholder={t('invite.message.placeholder')}
                    onChange={(e) => setMessage(e.target.value)}
                />
                <div className='ga-hint'>{t('invite.message.count', {count: message.length, max: MAX_MESSAGE_LENGTH})}</div>

                <label
                    className='ga-label'
                    htmlFor={ids.expiry}
                >
                    {t('invite.expiry.label')}
                </label>
                <input
                    id={ids.expiry}
                    type='date'
                    className='ga-input'
                    min={today}
                    value={expiry}
                    disabled={sending > 0}
                    onChange={(e) => setExpiry(e.target.value)}
                />
                <div className='ga-hint'>{t('invite.expiry.hint')}</div>

                <label
                    className='ga-label'
                    htmlFor={ids.single}
                >
                    <input
                        id={ids.single}
                        type='checkbox'
                        checked={singleChannel}
                        disabled={sending > 0}
                        onChange={(e) => setSingleChannel(e.target.checked)}
                    />
                    {' '}{t('invite.single.label')}
                </label>
                <div className='ga-hint'>{t('invite.single.hint')}</div>

                {formErrors.length > 0 && (
                    <ul
                        className='ga-error ga-plain-list'
                        role='alert'
                    >
                        {formErrors.map((id) => <li key={id}>{t(id)}</li>)}
                    </ul>
                )}
                {sending > 0 && <p role='status'>{t('invite.progress', {count: sending})}</p>}
                <ErrorMessage error={apiError}/>
            </form>
        </Dialog>
    );
}

/** Root component: shows the modal while a menu or header action has opened it. */
export function InviteModalRoot() {
    const dispatch = usePluginDispatch();
    const {open, channelId} = usePluginSelector((state) => getModal(state, 'invite'));
    if (!open) {
        return null;
    }
    return (
        <InviteModal
            initialChannelId={channelId}
            onClose={() => dispatch(closeModal('invite'))}
        />
    );
}

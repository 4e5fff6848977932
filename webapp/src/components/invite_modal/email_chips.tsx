// The address field: typed or pasted addresses become chips, each checked at
// once (invalid address, domain not allowed); the unfinished address is
// checked as it is typed. Enter, comma, semicolon or space finish an address;
// Backspace in an empty field removes the last chip.
import React, {useId, useState} from 'react';

import {useT} from '../../i18n';

import {checkEmail, splitEntries} from './validation';
import type {AllowEntry, EmailCheck} from './validation';

export const MAX_EMAILS = 50;

export interface EmailChipsProps {
    chips: EmailCheck[];
    onChange: (chips: EmailCheck[]) => void;
    draft: string;
    onDraftChange: (draft: string) => void;
    allow: AllowEntry[];
    allowedDomains: string[];
    disabled?: boolean;
    inputId: string;
}

export function EmailChips({chips, onChange, draft, onDraftChange, allow, allowedDomains, disabled, inputId}: EmailChipsProps) {
    const t = useT();
    const hintId = useId();
    const [notice, setNotice] = useState('');

    const problemText = (c: EmailCheck) => (c.problem === 'invalid' ?
        t('invite.email.invalid', {email: c.email}) :
        t('invite.email.domain_not_allowed', {domain: c.domain, allowed: allowedDomains.join(', ')}));

    const add = (entries: string[]) => {
        const next = [...chips];
        const notices: string[] = [];
        for (const entry of entries) {
            const check = checkEmail(entry, allow);
            if (next.some((c) => c.email.toLowerCase() === check.email.toLowerCase())) {
                notices.push(t('invite.email.duplicate', {email: check.email}));
                continue;
            }
            if (next.length >= MAX_EMAILS) {
                notices.push(t('invite.email.too_many', {max: MAX_EMAILS}));
                break;
            }
            next.push(check);
        }
        setNotice(notices.join(' '));
        if (next.length !== chips.length) {
            onChange(next);
        }
    };

    const onInput = (value: string) => {
        const {entries, rest} = splitEntries(value);
        if (entries.length > 0) {
            add(entries);
        }
        onDraftChange(rest);
    };

    const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
        if (e.key === 'Enter') {
            e.preventDefault();
            if (draft.trim()) {
                add([draft.trim()]);
                onDraftChange('');
            }
        } else if (e.key === 'Backspace' && draft === '' && chips.length > 0) {
            onChange(chips.slice(0, -1));
        }
    };

    const onPaste = (e: React.ClipboardEvent<HTMLInputElement>) => {
        const text = e.clipboardData.getData('text');
        if (!/[,;\s<]/.test(text)) {
            return; // a single address: let the input take it as typed text
        }
        e.preventDefault();
        const {entries} = splitEntries(draft + text, true);
        add(entries);
        onDraftChange('');
    };

    const onBlur = () => {
        if (draft.trim()) {
            add([draft.trim()]);
            onDraftChange('');
        }
    };

    // The unfinished address is checked once it has an '@'.
    const draftCheck = draft.includes('@') ? checkEmail(draft, allow) : null;
    const draftProblem = draftCheck?.problem ? problemText(draftCheck) : '';

    return (
        <div className='ga-field'>
            <div
                className={`ga-chips${disabled ? ' ga-chips--disabled' : ''}`}
                onClick={() => document.getElementById(inputId)?.focus()}
            >
                <ul
                    className='ga-chips__list'
                    aria-label={t('invite.email.list_label')}
                >
                    {chips.map((c) => (
                        <li
                            key={c.email}
                            className={`ga-chip${c.problem ? ' ga-chip--error' : ''}`}
                            data-testid='email-chip'
                            title={c.problem ? problemText(c) : undefined}
                        >
                            <span>{c.email}</span>
                            {c.problem && <span className='ga-visually-hidden'>{`: ${problemText(c)}`}</span>}
                            <button
                                type='button'
                                className='ga-chip__remove'
                                aria-label={t('invite.email.remove', {email: c.email})}
                                disabled={disabled}
                                onClick={(e) => {
                                    e.stopPropagation();
                                    onChange(chips.filter((x) => x !== c));
                                }}
                            >
                                {'×'}
                            </button>
                        </li>
                    ))}
                </ul>
                <input
                    id={inputId}
                    className='ga-chips__input'
                    type='text'
                    inputMode='email'
                    autoComplete='off'
                    value={draft}
                    disabled={disabled}
                    placeholder={chips.length === 0 ? t('invite.email.placeholder') : ''}
                    aria-invalid={draftProblem ? 'true' : 'false'}
                    aria-describedby={hintId}
                    onChange={(e) => onInput(e.target.value)}
                    onKeyDown={onKeyDown}
                    onPaste={onPaste}
                    onBlur={onBlur}
                />
            </div>
            <div
                id={hintId}
                className={draftProblem ? 'ga-hint ga-hint--error' : 'ga-hint'}
                aria-live='polite'
            >
                {draftProblem || notice || (allowedDomains.length > 0 ?
                    t('invite.email.allowed_hint', {allowed: allowedDomains.join(', ')}) :
                    t('invite.email.hint'))}
            </div>
        </div>
    );
}

// A button that asks for confirmation inline (no browser confirm dialog):
// the first click shows the question with Confirm / Cancel.
import React, {useState} from 'react';

import {useT} from '../../i18n';

export interface ConfirmButtonProps {
    label: string;
    question: string;
    onConfirm: () => void;
    disabled?: boolean;
    danger?: boolean;
}

export function ConfirmButton({label, question, onConfirm, disabled, danger}: ConfirmButtonProps) {
    const t = useT();
    const [asking, setAsking] = useState(false);
    if (!asking) {
        return (
            <button
                type='button'
                className={`ga-button ga-button--small${danger ? ' ga-button--danger' : ''}`}
                disabled={disabled}
                onClick={() => setAsking(true)}
            >
                {label}
            </button>
        );
    }
    return (
        <span
            className='ga-confirm'
            role='group'
            aria-label={question}
        >
            <span>{question}</span>
            <button
                type='button'
                className={`ga-button ga-button--small${danger ? ' ga-button--danger' : ' ga-button--primary'}`}
                autoFocus={true}
                onClick={() => {
                    setAsking(false);
                    onConfirm();
                }}
            >
                {t('common.confirm')}
            </button>
            <button
                type='button'
                className='ga-button ga-button--small ga-button--secondary'
                onClick={() => setAsking(false)}
            >
                {t('common.cancel')}
            </button>
        </span>
    );
}

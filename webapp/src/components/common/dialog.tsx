// The plugin's own modal dialog: a portal with an overlay, a focus trap,
// Escape to close and focus returned to where it was. It does not depend on
// the client's modal components, which plugins cannot rely on.
import React, {useEffect, useId, useRef} from 'react';
import {createPortal} from 'react-dom';

import {useT} from '../../i18n';

const FOCUSABLE = [
    'a[href]', 'button:not([disabled])', 'input:not([disabled]):not([type="hidden"])',
    'select:not([disabled])', 'textarea:not([disabled])', '[tabindex]:not([tabindex="-1"])',
].join(',');

function focusables(root: HTMLElement): HTMLElement[] {
    return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.hasAttribute('inert'));
}

export interface DialogProps {
    title: string;
    onClose: () => void;
    children: React.ReactNode;
    footer?: React.ReactNode;

    /** Id of the element to focus first (default: the first focusable one). */
    initialFocusId?: string;
    className?: string;
    role?: 'dialog' | 'alertdialog';
}

export function Dialog({title, onClose, children, footer, initialFocusId, className, role = 'dialog'}: DialogProps) {
    const t = useT();
    const panel = useRef<HTMLDivElement>(null);
    const titleId = `ga-dialog-title-${useId()}`;
    const onCloseRef = useRef(onClose);
    onCloseRef.current = onClose;

    useEffect(() => {
        const previous = document.activeElement as HTMLElement | null;
        const root = panel.current;
        if (root) {
            const first = (initialFocusId && document.getElementById(initialFocusId)) || focusables(root)[0] || root;
            first.focus();
        }
        return () => {
            if (previous && typeof previous.focus === 'function' && document.contains(previous)) {
                previous.focus();
            }
        };
    }, [initialFocusId]);

    // Listening on the document keeps Escape and the focus trap working even
    // when the focused element has just been removed (e.g. a retry button).
    useEffect(() => {
        const onKeyDown = (e: KeyboardEvent) => {
            const root = panel.current;
            if (!root) {
                return;
            }
            if (e.key === 'Escape') {
                e.stopPropagation();
                e.preventDefault();
                onCloseRef.current();
                return;
            }
            if (e.key !== 'Tab') {
                return;
            }
            const items = focusables(root);
            if (items.length === 0) {
                e.preventDefault();
                root.focus();
                return;
            }
            const first = items[0];
            const last = items[items.length - 1];
            const active = document.activeElement;
            const inside = root.contains(active);
            if (e.shiftKey && (active === first || !inside)) {
                e.preventDefault();
                last.focus();
            } else if (!e.shiftKey && (active === last || !inside)) {
                e.preventDefault();
                first.focus();
            }
        };
        document.addEventListener('keydown', onKeyDown, true);
        return () => document.removeEventListener('keydown', onKeyDown, true);
    }, []);

    return createPortal(
        <div className='ga-overlay'>
            <div
                ref={panel}
                className={`ga-dialog ${className ?? ''}`}
                role={role}
                aria-modal='true'
                aria-labelledby={titleId}
                tabIndex={-1}
            >
                <div className='ga-dialog__header'>
                    <h2 id={titleId}>{title}</h2>
                    <button
                        type='button'
                        className='ga-icon-button'
                        aria-label={t('common.close')}
                        onClick={() => onCloseRef.current()}
                    >
                        {'×'}
                    </button>
                </div>
                <div className='ga-dialog__body'>{children}</div>
                {footer && <div className='ga-dialog__footer'>{footer}</div>}
            </div>
        </div>,
        document.body,
    );
}

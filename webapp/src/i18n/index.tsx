// The plugin's strings go to the client with registerTranslations (keys
// prefixed "guest-accounts."), and components read them through the
// client's react-intl (the ReactIntl global), so they follow the user's
// language like the rest of the client. English is the default message of
// every id; de and es are complete (i18n.test checks every catalog).
import React, {useCallback} from 'react';
import {useIntl} from 'react-intl';

import de from './de.json';
import en from './en.json';
import es from './es.json';

export type Messages = Record<string, string>;
export type MessageId = keyof typeof en;
export type Values = Record<string, string | number>;
export type Translate = (id: MessageId, values?: Values) => string;

/** The catalogs bundled with the plugin, by language. */
export const catalogs: Record<string, Messages> = {en, de, es};

/** Key prefix for strings handed to the client, so they never clash with core's. */
export const PREFIX = 'guest-accounts.';

/** The plugin's strings for `locale` (its base language, else English), prefixed for the client. */
export function registeredTranslations(locale: string): Messages {
    const lower = (locale || 'en').toLowerCase();
    const catalog = catalogs[lower] ?? catalogs[lower.split(/[-_]/)[0]] ?? en;
    const out: Messages = {};
    for (const [key, value] of Object.entries({...en, ...catalog})) {
        out[PREFIX + key] = value;
    }
    return out;
}

/** Returns `t(id, values)` in the user's language (English when the client has no translation). */
export function useT(): Translate {
    const intl = useIntl();
    return useCallback((id: MessageId, values?: Values) => intl.formatMessage({id: PREFIX + id, defaultMessage: en[id]}, values), [intl]);
}

/** A translated string as an element, for labels the client renders in its own components (menu items, tooltips). */
export function Text({id}: {id: MessageId}) {
    const t = useT();
    return <>{t(id)}</>;
}

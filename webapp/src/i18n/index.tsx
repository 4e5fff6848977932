// A tiny i18n layer: react-intl is not a global the client guarantees to
// plugins, so components read their strings through this context instead.
// Messages are flat `key -> text` maps; `{name}` placeholders are filled in.
import React, {createContext, useCallback, useContext, useMemo} from 'react';

import en from './en.json';

export type Messages = Record<string, string>;
export type MessageId = keyof typeof en;
export type Values = Record<string, string | number>;
export type Translate = (id: MessageId, values?: Values) => string;

/** Translations bundled with the plugin, by locale. English is complete; others may be partial. */
export const bundledTranslations: Record<string, Messages> = {en};

/** English merged with the best match for `locale` (e.g. `pt-BR` falls back to `pt`). */
export function messagesFor(locale: string | undefined, extra: Record<string, Messages> = bundledTranslations): Messages {
    const lower = (locale || 'en').toLowerCase();
    const base = lower.split(/[-_]/)[0];
    return {...en, ...(extra[base] ?? {}), ...(extra[lower] ?? {})};
}

/** Fills `{name}` placeholders; unknown placeholders are left as written. */
export function formatMessage(template: string, values?: Values): string {
    if (!values) {
        return template;
    }
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (
        Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole
    ));
}

interface I18nValue {
    locale: string;
    messages: Messages;
}

const I18nContext = createContext<I18nValue>({locale: 'en', messages: en});

export function I18nProvider({locale, messages, children}: {locale?: string; messages?: Messages; children: React.ReactNode}) {
    const value = useMemo(() => ({
        locale: locale || 'en',
        messages: messages ?? messagesFor(locale),
    }), [locale, messages]);
    return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** Returns `t(id, values)` for the current locale, falling back to English, then to the id. */
export function useT(): Translate {
    const {messages} = useContext(I18nContext);
    return useCallback((id: MessageId, values?: Values) => formatMessage(messages[id] ?? en[id] ?? id, values), [messages]);
}

/** The current locale, for date formatting. */
export function useLocale(): string {
    return useContext(I18nContext).locale;
}

/** Key prefix for strings handed to the client, so they never clash with core's. */
export const REGISTERED_PREFIX = 'guest-accounts.';

/** The plugin's strings for the client's registerTranslations, prefixed. */
export function registeredTranslations(locale: string): Messages {
    const out: Messages = {};
    for (const [key, value] of Object.entries(messagesFor(locale))) {
        out[REGISTERED_PREFIX + key] = value;
    }
    return out;
}

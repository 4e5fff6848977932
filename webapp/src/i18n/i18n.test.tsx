import {render, screen} from '@testing-library/react';
import React from 'react';

import {I18nProvider, formatMessage, messagesFor, registeredTranslations, useT} from '.';

function Probe() {
    const t = useT();
    return <p>{t('invite.result.summary', {ok: 2, total: 3})}</p>;
}

describe('i18n', () => {
    it('fills placeholders and leaves unknown ones', () => {
        expect(formatMessage('{a} and {b}', {a: 1})).toBe('1 and {b}');
    });

    it('falls back to English for missing keys and to the base language', () => {
        const messages = messagesFor('pt-BR', {pt: {'common.cancel': 'Cancelar'}});
        expect(messages['common.cancel']).toBe('Cancelar');
        expect(messages['common.close']).toBe('Close');
    });

    it('renders through the context with the given messages', () => {
        render(
            <I18nProvider
                locale='xx'
                messages={{'invite.result.summary': '{ok}/{total} ok'}}
            >
                <Probe/>
            </I18nProvider>,
        );
        expect(screen.getByText('2/3 ok')).toBeInTheDocument();
    });

    it('prefixes the strings handed to the client', () => {
        const registered = registeredTranslations('en');
        expect(registered['guest-accounts.guest_badge.label']).toBe('Guest');
        expect(registered['guest_badge.label']).toBeUndefined();
    });
});

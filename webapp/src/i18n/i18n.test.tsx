/// <reference types="node" />
import fs from 'fs';
import path from 'path';

import {render, screen} from '@testing-library/react';
import React from 'react';
import {IntlProvider} from 'react-intl';

import {PREFIX, Text, catalogs, registeredTranslations, useT} from '.';
import type {MessageId} from '.';

function Probe({id, values}: {id: MessageId; values?: Record<string, string | number>}) {
    const t = useT();
    return <p>{t(id, values)}</p>;
}

/** The placeholders of an ICU message ({name}, {count, plural, ...}). */
function placeholders(text: string): string[] {
    return [...text.matchAll(/\{\s*(\w+)\s*[,}]/g)].map((m) => m[1]).sort();
}

const english = catalogs.en;
const others = Object.entries(catalogs).filter(([lang]) => lang !== 'en');

describe('catalogs', () => {
    it('has German and one more language besides English', () => {
        expect(Object.keys(catalogs).sort()).toEqual(['de', 'en', 'es']);
    });

    it.each(others)('%s has exactly the ids English has', (_lang, catalog) => {
        const missing = Object.keys(english).filter((id) => !(id in catalog));
        const unused = Object.keys(catalog).filter((id) => !(id in english));
        expect({missing, unused}).toEqual({missing: [], unused: []});
    });

    it.each(others)('%s keeps every placeholder of the English message', (_lang, catalog) => {
        const wrong = Object.keys(english).filter((id) => JSON.stringify(placeholders(english[id])) !== JSON.stringify(placeholders(catalog[id] ?? '')));
        expect(wrong).toEqual([]);
    });

    it.each(others)('%s is translated, not a copy of English', (_lang, catalog) => {
        const same = Object.keys(english).filter((id) => catalog[id] === english[id]);
        // Names and symbols may stay as they are (e.g. "OpenID", "GitLab", "Email").
        expect(same.length).toBeLessThan(Object.keys(english).length / 20);
    });
});

describe('English', () => {
    it('has no id the code no longer uses', () => {
        const files = (dir: string): string[] => fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
            const full = path.join(dir, e.name);
            if (e.isDirectory()) {
                return files(full);
            }
            return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
        });
        const code = files(path.resolve(__dirname, '..')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
        const unused = Object.keys(english).filter((id) => !code.includes(`'${id}'`));
        expect(unused).toEqual([]);
    });
});

describe('the client\'s react-intl', () => {
    it('prefixes the strings handed to the client and falls back to the base language, then English', () => {
        expect(registeredTranslations('en')[`${PREFIX}guest_badge.label`]).toBe('Guest');
        expect(registeredTranslations('en')['guest_badge.label']).toBeUndefined();
        expect(registeredTranslations('de-AT')[`${PREFIX}guest_badge.label`]).toBe(catalogs.de['guest_badge.label']);
        expect(registeredTranslations('zz')[`${PREFIX}guest_badge.label`]).toBe('Guest');
    });

    it('renders in the provider\'s language with values filled in', () => {
        render(
            <IntlProvider
                locale='de'
                messages={registeredTranslations('de')}
            >
                <Probe
                    id='invite.result.summary'
                    values={{ok: 2, total: 3}}
                />
                <Text id='guest_badge.label'/>
            </IntlProvider>,
        );
        expect(screen.getByText(catalogs.de['guest_badge.label'])).toBeInTheDocument();
        expect(screen.getByText(/2.*3/)).toBeInTheDocument();
    });

    it('shows English when the client has no translation for the id', () => {
        render(
            <IntlProvider
                locale='en'
                messages={{}}
                onError={() => undefined}
            >
                <Text id='guest_badge.label'/>
            </IntlProvider>,
        );
        expect(screen.getByText('Guest')).toBeInTheDocument();
    });
});

import {asciiDomain, checkEmail, domainAllowed, parseAddress, parseAllowList, splitEntries} from './validation';

describe('parseAddress', () => {
    it.each([
        'a@example.com',
        'first.last+tag@sub.example.co.uk',
        'A@EXAMPLE.com',
        'o\'neil@example.org',
        'user@bücher.example',
    ])('accepts %s', (addr) => {
        expect(parseAddress(addr)).not.toBeNull();
    });

    it.each([
        '',
        'plain',
        'a@',
        '@example.com',
        'a@b@example.com',
        'a b@example.com',
        '"a@example.com"@evil.org',
        'a@example.com\u0000',
        'a@exa mple.com',
        'a..b@example.com',
        '.a@example.com',
        'a@localhost',
        'a@127.0.0.1',
        'a@[127.0.0.1]',
        'a@-example.com',
        'Jane <a@example.com>',
        `${'x'.repeat(65)}@example.com`,
    ])('refuses %j', (addr) => {
        expect(parseAddress(addr)).toBeNull();
    });

    it('lower-cases the domain and converts IDN to punycode for matching', () => {
        expect(parseAddress('Jane@EXAMPLE.com')).toEqual({local: 'Jane', domain: 'example.com', email: 'Jane@example.com'});
        expect(asciiDomain('Bücher.example')).toBe('xn--bcher-kva.example');
    });
});

describe('domainAllowed', () => {
    const allow = parseAllowList(['example.com', '*.partner.org', 'bücher.example', 'not a domain']);

    it.each([
        ['example.com', true],
        ['sub.example.com', false],
        ['evil-example.com', false],
        ['example.com.evil.org', false],
        ['a.partner.org', true],
        ['a.b.partner.org', true],
        ['partner.org', false],
        ['xpartner.org', false],
        ['xn--bcher-kva.example', true],
    ])('%s → %s', (domain, expected) => {
        expect(domainAllowed(domain, allow)).toBe(expected);
    });

    it('allows everything when the list is empty', () => {
        expect(domainAllowed('anything.test', [])).toBe(true);
    });

    it('drops entries that are not domains', () => {
        expect(allow).toHaveLength(3);
    });
});

describe('checkEmail', () => {
    const allow = parseAllowList(['example.com']);

    it('reports invalid addresses and refused domains', () => {
        expect(checkEmail('nope', allow).problem).toBe('invalid');
        expect(checkEmail('a@other.org', allow)).toMatchObject({problem: 'domain_not_allowed', domain: 'other.org'});
        expect(checkEmail('a@EXAMPLE.COM', allow)).toMatchObject({problem: '', email: 'a@example.com'});
    });

    it('takes the address out of a pasted display name', () => {
        expect(checkEmail('Jane Doe <jane@example.com>', allow)).toMatchObject({problem: '', email: 'jane@example.com'});
    });
});

describe('splitEntries', () => {
    it('keeps the unfinished word while typing', () => {
        expect(splitEntries('a@x.com, b@y.com c')).toEqual({entries: ['a@x.com', 'b@y.com'], rest: 'c'});
        expect(splitEntries('a@x.com ')).toEqual({entries: ['a@x.com'], rest: ''});
    });

    it('splits a paste completely and keeps display-name entries whole', () => {
        expect(splitEntries('Jane Doe <j@x.com>; b@y.com\nc@z.com', true)).toEqual({entries: ['Jane Doe <j@x.com>', 'b@y.com', 'c@z.com'], rest: ''});
    });
});

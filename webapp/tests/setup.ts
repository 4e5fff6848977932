import '@testing-library/jest-dom';
import {configure} from '@testing-library/react';

// CI machines have two cores: give findBy/waitFor room beyond the 1 s default.
configure({asyncUtilTimeout: 4000});

// React's act() warnings and other console errors fail the test: they mean
// a state change the test did not wait for.
let consoleErrors: unknown[][] = [];
beforeEach(() => {
    consoleErrors = [];
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
        consoleErrors.push(args);
    });
});

afterEach(() => {
    document.cookie.split(';').forEach((c) => {
        const name = c.split('=')[0].trim();
        if (name) {
            document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT`;
        }
    });
    const errors = consoleErrors;
    consoleErrors = [];
    if (errors.length > 0) {
        throw new Error(`console.error was called:\n${errors.map((a) => a.map(String).join(' ')).join('\n')}`);
    }
});

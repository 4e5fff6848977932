// GET /me, loaded once and shared by every entry point that depends on it.
import type {Client, Me} from '../client';
import {ClientError} from '../client';

import {Observable} from './observable';

export class MeStore extends Observable {
    private me?: Me;
    private error?: ClientError;
    private pending?: Promise<Me | undefined>;

    constructor(private readonly client: Pick<Client, 'getMe'>) {
        super();
    }

    get current(): Me | undefined {
        return this.me;
    }

    get lastError(): ClientError | undefined {
        return this.error;
    }

    /** Loads /me once; `force` asks again. Resolves undefined on failure (see lastError). */
    load(force = false): Promise<Me | undefined> {
        if (this.pending && !force) {
            return this.pending;
        }
        this.pending = this.client.getMe().then(
            (me) => {
                this.me = me;
                this.error = undefined;
                this.notify();
                return me;
            },
            (err: unknown) => {
                this.error = err instanceof ClientError ? err : new ClientError(0, '', String(err));
                this.notify();
                return this.me;
            },
        );
        return this.pending;
    }
}

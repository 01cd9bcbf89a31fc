import { inject } from 'vitest';

// The local system's address and owners, from the live project's global setup, where the suite reads them: its environment.
Object.assign(process.env, inject('liveEnvironment'));

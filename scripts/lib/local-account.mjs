// The local operator's console account, shared by `npm start` (the demo it seeds) and `npm run bench`: on an
// instance without mail only the first account may sign itself up (issue 18), so every script that needs a
// console token signs in as this one, kept with its password in .weft/demo.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './workspace.mjs';

export const LOCAL_ACCOUNT_FILE = join(ROOT, '.weft', 'demo.json');

/** What .weft/demo.json holds (the demo's account, app and key), or null. */
export function readLocalState() {
  try {
    return JSON.parse(readFileSync(LOCAL_ACCOUNT_FILE, 'utf8'));
  } catch {
    return null;
  }
}

/** Writes .weft/demo.json, readable by its owner only (it holds a password and an app key). */
export function writeLocalState(state) {
  mkdirSync(join(ROOT, '.weft'), { recursive: true });
  writeFileSync(LOCAL_ACCOUNT_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** The local operator's email, password and name: from .weft/demo.json, or made up (and kept there) the first time. */
export function localAccount() {
  const state = readLocalState();
  if (state?.email && state?.password) return { email: state.email, password: state.password, name: state.name ?? 'Demo' };
  const account = { email: 'demo@weft.local', password: `Demo-${randomBytes(9).toString('base64url')}1!`, name: 'Demo' };
  writeLocalState({ ...state, ...account });
  return account;
}

/** Names of variables that usually hold credentials: their values start hidden. */
const SECRET_KEY = /pass|secret|token|key|credential|auth|private|cert|salt|session|cookie|dsn/i;

export const looksSecret = (key: string) => SECRET_KEY.test(key);

import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../apps/backend/src/settings';

const env = {
  DATABASE_HOST: 'platform-test.abc.eu-west-1.rds.amazonaws.com',
  DATABASE_NAME: 'app',
  DATABASE_USER: 'cart_app',
  DATABASE_PASSWORD: 's3cret',
  DATABASE_CA_FILE: '/etc/ssl/rds/global-bundle.pem',
};

describe('readSettings', () => {
  it('defaults to TLS with certificate and host name checks, port 8080 and the cart schema', () => {
    expect(readSettings(env)).toMatchObject({
      PORT: 8080,
      DATABASE_PORT: 5432,
      DATABASE_SSLMODE: 'verify-full',
      DATABASE_SCHEMA: 'cart',
      SHUTDOWN_DRAIN_SECONDS: 5,
      SHUTDOWN_TIMEOUT_SECONDS: 25,
    });
  });

  it('throws when a variable is missing or bad, naming each one and its value, never the password', () => {
    expect(() =>
      readSettings({
        ...env,
        DATABASE_HOST: undefined,
        PORT: 'eighty',
        DATABASE_PASSWORD: '',
        DATABASE_SCHEMA: 'Cart;drop',
      }),
    ).toThrow(
      /^invalid settings; the backend did not start:\n {2}- PORT .*, got "eighty"\n {2}- DATABASE_HOST .*, got null\n {2}- DATABASE_PASSWORD must be set \(from the Kubernetes Secret\), got \(hidden\)\n {2}- DATABASE_SCHEMA must be a lowercase PostgreSQL identifier, got "Cart;drop"$/,
    );
  });

  it('throws when verify-full has no CA bundle, or the drain outlasts the shutdown', () => {
    expect(() => readSettings({ ...env, DATABASE_CA_FILE: undefined })).toThrow(
      'DATABASE_CA_FILE must name the CA bundle when DATABASE_SSLMODE is verify-full, got null',
    );
    expect(() => readSettings({ ...env, SHUTDOWN_DRAIN_SECONDS: '30' })).toThrow(
      'SHUTDOWN_DRAIN_SECONDS must be shorter than SHUTDOWN_TIMEOUT_SECONDS, got "30"',
    );
  });
});

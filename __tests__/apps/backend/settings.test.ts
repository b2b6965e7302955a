import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../apps/backend/src/settings';

const env = {
  DATABASE_HOST: 'platform-test.abc.eu-west-1.rds.amazonaws.com',
  DATABASE_NAME: 'app',
  DATABASE_USER: 'cart_app',
  DATABASE_PASSWORD: 's3cret',
  DATABASE_CA_FILE: '/etc/ssl/rds/global-bundle.pem',
};

/** What the service stack sets on AWS: IAM authentication, no password. */
const iam = {
  ...env,
  DATABASE_AUTH: 'iam',
  DATABASE_USER: 'backend',
  DATABASE_PASSWORD: undefined,
  AWS_REGION: 'eu-west-1',
};

describe('readSettings', () => {
  it('defaults to TLS with certificate and host name checks, port 8080 and the cart schema', () => {
    expect(readSettings(env)).toMatchObject({
      PORT: 8080,
      DATABASE_PORT: 5432,
      DATABASE_SSLMODE: 'verify-full',
      DATABASE_SCHEMA: 'cart',
      DATABASE_AUTH: 'password',
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

  it('logs in with IAM authentication when told to, with a region and no password', () => {
    expect(readSettings(iam)).toMatchObject({
      DATABASE_AUTH: 'iam',
      DATABASE_USER: 'backend',
      AWS_REGION: 'eu-west-1',
      DATABASE_SSLMODE: 'verify-full',
    });
    expect(readSettings(iam).DATABASE_PASSWORD).toBeUndefined();
  });

  it('throws when DATABASE_AUTH is neither password nor iam', () => {
    expect(() => readSettings({ ...env, DATABASE_AUTH: 'IAM' })).toThrow(
      'DATABASE_AUTH must be password or iam (RDS IAM database authentication), got "IAM"',
    );
  });

  it('throws when password authentication has no password', () => {
    expect(() => readSettings({ ...env, DATABASE_PASSWORD: undefined })).toThrow(
      'DATABASE_PASSWORD must be set (from the Kubernetes Secret) when DATABASE_AUTH is password, or set DATABASE_AUTH=iam on RDS, got (hidden)',
    );
  });

  it('throws when IAM authentication is also given a password, never showing it', () => {
    expect(() => readSettings({ ...iam, DATABASE_PASSWORD: 's3cret' })).toThrow(
      /^invalid settings; the backend did not start:\n {2}- DATABASE_PASSWORD must not be set when DATABASE_AUTH is iam \(the backend logs in with an IAM auth token\): remove it, got \(hidden\)$/,
    );
  });

  it('throws when IAM authentication has no region, or a zone for one', () => {
    expect(() => readSettings({ ...iam, AWS_REGION: undefined })).toThrow(
      "AWS_REGION must name the database's region when DATABASE_AUTH is iam, got null",
    );
    expect(() => readSettings({ ...iam, AWS_REGION: 'eu-west-1a' })).toThrow(
      'AWS_REGION must be an AWS region such as eu-west-1, got "eu-west-1a"',
    );
  });

  it('throws when IAM authentication would go without TLS', () => {
    expect(() => readSettings({ ...iam, DATABASE_SSLMODE: 'disable' })).toThrow(
      'DATABASE_SSLMODE must be verify-full when DATABASE_AUTH is iam (RDS refuses IAM authentication without TLS), got "disable"',
    );
  });
});

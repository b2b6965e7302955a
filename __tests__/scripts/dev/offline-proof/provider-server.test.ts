import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  providerBinary,
  socketParent,
  startProviderServer,
} from '../../../../scripts/dev/offline-proof/provider-server';
import { tempDir } from '../../../helpers/paths';

const REATTACH =
  'TF_REATTACH_PROVIDERS=\'{"registry.terraform.io/hashicorp/aws":{"Protocol":"grpc","ProtocolVersion":5,"Pid":1,"Test":true,"Addr":{"Network":"unix","String":"/tmp/plugin-fake"}}}\'';

/** A stand-in for a provider binary: a shell script. */
function fakeProvider(body: string): string {
  const path = join(tempDir('fake-provider'), 'terraform-provider-aws_v5.100.0_x5');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('socketParent', () => {
  it('keeps the socket in the temporary directory while its path fits a Unix socket', () => {
    expect(socketParent('/tmp/pt-m3xk7J/vt-Q2w9Lx/w1-TUAmiM/plan-offline-tmpdir-Za9VZr')).toBe(
      '/tmp/pt-m3xk7J/vt-Q2w9Lx/w1-TUAmiM/plan-offline-tmpdir-Za9VZr',
    );
  });

  it('falls back to /tmp when the socket path would pass 103 bytes (bind: invalid argument)', () => {
    const fits = `/tmp/${'x'.repeat(70)}`;
    expect(`${fits}/tfp-XXXXXX/plugin0123456789`.length).toBe(103);
    expect(socketParent(fits)).toBe(fits);
    expect(socketParent(`${fits}x`)).toBe('/tmp');
  });
});

describe('startProviderServer', () => {
  it('reads the reattach address the provider prints, and stops the provider', async () => {
    const server = await startProviderServer(
      'aws',
      fakeProvider(
        `echo "Provider started."; echo "\t${REATTACH.replace(/"/g, '\\"')}"; exec sleep 60`,
      ),
    );
    expect(server.address).toBe('registry.terraform.io/hashicorp/aws');
    expect(server.reattach).toMatchObject({ Protocol: 'grpc', ProtocolVersion: 5 });
    expect(alive(server.pid)).toBe(true);
    await server.stop();
    expect(alive(server.pid)).toBe(false);
    expect(server.crashed()).toBeUndefined();
  });

  it('reports a provider that stops on its own as crashed, with its exit and last output', async () => {
    const server = await startProviderServer(
      'aws',
      fakeProvider(
        `echo "\t${REATTACH.replace(/"/g, '\\"')}"; sleep 0.2; echo "panic: boom" >&2; exit 3`,
      ),
    );
    // Until it has exited, however long a busy machine takes to run 0.2 s of sleep.
    await vi.waitFor(
      () => expect(server.crashed()).toMatch(/exited with code 3:[\s\S]*panic: boom/),
      { timeout: 30_000, interval: 50 },
    );
    await server.stop();
  });

  it('fails to start, with the provider’s output, when it exits before printing an address', async () => {
    await expect(
      startProviderServer('aws', fakeProvider('echo "cannot load plugin"; exit 2')),
    ).rejects.toThrow(/the aws provider exited with code 2:\s+cannot load plugin/);
  });

  it('fails to start, rather than hang, when the provider stays silent', async () => {
    await expect(startProviderServer('aws', fakeProvider('exec sleep 60'), 300)).rejects.toThrow(
      'the aws provider printed no reattach address in 0.3 s',
    );
  });
});

describe('providerBinary', () => {
  it('finds the plugin binary under an initialized .terraform directory', () => {
    // Removed afterwards: a stray file shaped like a provider mirror misleads find-provider-mirror.
    const root = tempDir('dot-terraform');
    try {
      const dotTerraform = join(root, '.terraform');
      const dir = join(
        dotTerraform,
        'providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64',
      );
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'terraform-provider-aws_v5.100.0_x5'), '');
      expect(providerBinary(dotTerraform, 'aws')).toBe(
        join(dir, 'terraform-provider-aws_v5.100.0_x5'),
      );
      expect(providerBinary(dotTerraform, 'helm')).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

// Test certificates made with the openssl CLI (EC P-256 keys: generated in milliseconds).
//   ca.crt / ca.key                 test CA (CN=nrc-test-ca)
//   server.crt / server.key         CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1, signed by ca
//   client.crt / client.key         CN=nrc-test-client, extendedKeyUsage clientAuth, signed by ca (for mutual TLS)
//   wrong-ca.crt / wrong-ca.key     an unrelated CA (CN=nrc-wrong-ca): verifying the server with it must fail
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, which } from './util.mjs';

function openssl(bin, args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new HarnessError(`openssl ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(bin, dir, name, cn) {
  await openssl(
    bin,
    [
      'req', '-x509', ...KEY, '-days', '3650', '-subj', `/CN=${cn}`,
      '-keyout', `${name}.key`, '-out', `${name}.crt`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-addext', 'subjectKeyIdentifier=hash',
    ],
    dir,
  );
}

async function makeLeaf(bin, dir, name, cn, ext) {
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  await openssl(bin, ['req', ...KEY, '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  await openssl(
    bin,
    [
      'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
      '-set_serial', `0x${randomBytes(8).toString('hex')}`,
      '-days', '3650', '-sha256', '-out', `${name}.crt`, '-extfile', `${name}.ext`,
    ],
    dir,
  );
}

/** Writes the files listed above into `dir`; returns their absolute paths. */
export async function generateTestCerts(dir, { bin = which('openssl') } = {}) {
  if (!bin) throw new HarnessError('openssl not found on PATH (run: node scripts/cluster.mjs install)');
  mkdirSync(dir, { recursive: true });
  await Promise.all([makeCa(bin, dir, 'ca', 'nrc-test-ca'), makeCa(bin, dir, 'wrong-ca', 'nrc-wrong-ca')]);
  const common = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nauthorityKeyIdentifier=keyid,issuer';
  await Promise.all([
    makeLeaf(bin, dir, 'server', 'localhost', `${common}\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1`),
    makeLeaf(bin, dir, 'client', 'nrc-test-client', `${common}\nextendedKeyUsage=clientAuth`),
  ]);
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    caKeyFile: join(dir, 'ca.key'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
    wrongCaFile: join(dir, 'wrong-ca.crt'),
  };
}

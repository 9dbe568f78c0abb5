import assert from 'node:assert/strict';
import { test } from 'node:test';
import { embeddedResolvConf, hostsFile, resolveExtraHosts, withDnsSettings } from './resolver-files.js';

test('--add-host entries come before the container’s own line; host-gateway gets the gateway', () => {
  const hosts = hostsFile(
    { ip: '172.17.0.2', names: ['web'] },
    resolveExtraHosts(['db:10.0.0.2', 'gw:host-gateway'], '172.17.0.1'),
  );
  assert.match(hosts, /10\.0\.0\.2\tdb\n172\.17\.0\.1\tgw\n172\.17\.0\.2\tweb\n$/);
  assert.throws(() => resolveExtraHosts(['gw:host-gateway'], undefined), /no host gateway address/);
});

test('--dns/--dns-search/--dns-option replace those lines', () => {
  const host = 'nameserver 1.1.1.1\nsearch lan\noptions edns0\n';
  const none = { Dns: [], DnsSearch: [], DnsOptions: [] };
  assert.equal(withDnsSettings(host, none), host);
  assert.equal(
    withDnsSettings(host, { Dns: ['9.9.9.9'], DnsSearch: ['a.test', 'b.test'], DnsOptions: ['ndots:1'] }),
    'nameserver 9.9.9.9\nsearch a.test b.test\noptions ndots:1\n',
  );
});

test('a user network: 127.0.0.11, the host’s last search and options lines, ndots:0 unless ndots is given', () => {
  const host = 'search old.test\nnameserver 1.1.1.1\nnameserver 2001:db8::1\nsearch lan\noptions edns0\n';
  const none = { Dns: [], DnsSearch: [], DnsOptions: [] };
  assert.equal(
    embeddedResolvConf(host, none),
    'search lan\nnameserver 127.0.0.11\nnameserver 2001:db8::1\noptions edns0 ndots:0\n',
  );
  assert.equal(
    embeddedResolvConf(host, { Dns: ['9.9.9.9'], DnsSearch: ['a.test'], DnsOptions: ['timeout:2'] }),
    'search a.test\nnameserver 127.0.0.11\noptions timeout:2 ndots:0\n',
  );
  assert.equal(
    embeddedResolvConf('nameserver 10.0.0.1\n', { ...none, DnsOptions: ['ndots:3'] }),
    'nameserver 127.0.0.11\noptions ndots:3\n',
  );
});

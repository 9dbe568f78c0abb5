import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostsFile, resolveExtraHosts, withDnsSettings } from './resolver-files.js';

test('--add-host entries come before the container’s own line; host-gateway gets the gateway', () => {
  const hosts = hostsFile(
    { ip: '172.17.0.2', names: ['web'] },
    resolveExtraHosts(['db:10.0.0.2', 'gw:host-gateway'], '172.17.0.1'),
  );
  assert.match(hosts, /10\.0\.0\.2\tdb\n172\.17\.0\.1\tgw\n172\.17\.0\.2\tweb\n$/);
  assert.throws(() => resolveExtraHosts(['gw:host-gateway'], undefined), /no host gateway address/);
});

test('--dns/--dns-search/--dns-option replace those lines; a network resolver is kept', () => {
  const host = 'nameserver 1.1.1.1\nsearch lan\noptions edns0\n';
  const none = { Dns: [], DnsSearch: [], DnsOptions: [] };
  assert.equal(withDnsSettings(host, none), host);
  assert.equal(
    withDnsSettings(host, { Dns: ['9.9.9.9'], DnsSearch: ['a.test', 'b.test'], DnsOptions: ['ndots:1'] }),
    'nameserver 9.9.9.9\nsearch a.test b.test\noptions ndots:1\n',
  );
  assert.equal(
    withDnsSettings(
      'nameserver 172.18.0.1\n',
      { Dns: ['9.9.9.9'], DnsSearch: [], DnsOptions: ['ndots:0'] },
      true,
    ),
    'nameserver 172.18.0.1\noptions ndots:0\n',
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexConfigs, maskProxyCredentials, proxySettings } from './info-settings.js';

test('indexConfigs: Docker Hub official with the mirrors, each insecure registry host its own entry', () => {
  assert.deepEqual(indexConfigs(['https://mirror.example'], ['reg.local:5000']), {
    'docker.io': { Name: 'docker.io', Mirrors: ['https://mirror.example'], Secure: true, Official: true },
    'reg.local:5000': { Name: 'reg.local:5000', Mirrors: [], Secure: false, Official: false },
  });
});

test('proxySettings: upper case wins over lower case, unset is "", credentials are masked', () => {
  assert.deepEqual(
    proxySettings({
      HTTP_PROXY: 'http://proxy:3128',
      https_proxy: 'http://user:secret@proxy:3129',
      no_proxy: 'localhost,.internal',
    }),
    {
      HttpProxy: 'http://proxy:3128',
      HttpsProxy: 'http://xxxxx:xxxxx@proxy:3129/',
      NoProxy: 'localhost,.internal',
    },
  );
  assert.deepEqual(proxySettings({}), { HttpProxy: '', HttpsProxy: '', NoProxy: '' });
});

test('maskProxyCredentials leaves what is not a URL as it is', () => {
  assert.equal(maskProxyCredentials('proxy:3128'), 'proxy:3128');
  assert.equal(maskProxyCredentials(''), '');
  assert.equal(maskProxyCredentials('http://onlyuser@proxy'), 'http://xxxxx@proxy/');
});

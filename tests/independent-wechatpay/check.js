// An independent WeChat Pay v3 implementation (wechatpay-axios-plugin) checking ours from outside, so a
// mistake shared by our client and our fake server cannot hide. Reads one JSON command on stdin, writes
// one JSON answer on stdout. Used by tests/NeighbourHub.IntegrationTests/IndependentWeChatPayTests.cs.
'use strict';
const { Rsa, Aes, Formatter } = require('wechatpay-axios-plugin');

const commands = {
  // paySign for wx.requestPayment: RSA-SHA256 over appId\ntimeStamp\nnonceStr\npackage\n.
  verifyPaySign: (c) => ({
    ok: Rsa.verify(Formatter.joinedByLineFeed(c.appId, c.timeStamp, c.nonceStr, c.package), c.paySign, Rsa.from(c.merchantPublicKeyPem, 'public')),
  }),
  // A request our client sent: the Authorization header's signature over METHOD\nURI\ntimestamp\nnonce\nbody\n.
  verifyRequest: (c) => {
    const fields = Object.fromEntries([...c.authorization.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const message = Formatter.request(c.method, c.uri, fields.timestamp, fields.nonce_str, c.body);
    return {
      ok: c.authorization.startsWith('WECHATPAY2-SHA256-RSA2048 ') && Rsa.verify(message, fields.signature, Rsa.from(c.merchantPublicKeyPem, 'public')),
      mchid: fields.mchid,
      serial: fields.serial_no,
    };
  },
  // A payment callback as WeChat would send it: AES-256-GCM resource, RSA-SHA256 signature over timestamp\nnonce\nbody\n.
  buildCallback: (c) => {
    const nonce = Formatter.nonce(12);
    const aad = 'transaction';
    const resource = {
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: Aes.AesGcm.encrypt(JSON.stringify(c.transaction), c.apiV3Key, nonce, aad),
      associated_data: aad,
      original_type: 'transaction',
      nonce,
    };
    const body = JSON.stringify({
      id: 'EV-2018022511223320873', create_time: '2026-11-23T10:00:00+08:00', resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS', summary: '支付成功', resource,
    });
    const timestamp = `${Formatter.timestamp()}`;
    const headerNonce = Formatter.nonce();
    const signature = Rsa.sign(Formatter.response(timestamp, headerNonce, body), Rsa.from(c.platformPrivateKeyPem, 'private'));
    return { timestamp, nonce: headerNonce, signature, serial: c.serial, body };
  },
  // Our AES-256-GCM output (the sandbox encrypts callbacks with it), decrypted by theirs.
  decrypt: (c) => ({ plaintext: Aes.AesGcm.decrypt(c.ciphertext, c.apiV3Key, c.nonce, c.aad) }),
};

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const command = JSON.parse(input);
  try {
    process.stdout.write(JSON.stringify(commands[command.command](command)));
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e && e.message || e) }));
  }
});

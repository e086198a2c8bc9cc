// verify.mjs — GHL webhook verification by the official Node SDK
// (@gohighlevel/api-client, pinned in package.json) on the cases make bench
// also gives ghlsync's verifier.
//
// Standard input: a JSON array of {"name", "body" (base64 of the exact
// bytes received), "signature" (x-ghl-signature, "" for none)}.
// Environment: WEBHOOK_SIGNATURE_PUBLIC_KEY (the sandbox's Ed25519 public
// key, PEM) and GHL_APP_ID (the appId the sandbox puts in its webhooks).
//
// Each case runs two ways:
//   direct:     ghl.webhooks.verifyEd25519Signature(rawBody, signature, key)
//   middleware: ghl.webhooks.subscribe() on a request shaped as the README's
//               Express setup makes it (express.json with req.rawBody kept),
//               then the README's handler decision: refuse only when
//               isSignatureValid === false && !skippedSignatureVerification.
// It prints one JSON line: [{"name", "direct", "middleware"}] with
// "accept" or "reject" for each.
import sdk from '@gohighlevel/api-client';

const { HighLevel } = sdk;
const input = JSON.parse(await new Promise((resolve) => {
  let s = '';
  process.stdin.on('data', (c) => { s += c; });
  process.stdin.on('end', () => resolve(s));
}));

const publicKey = process.env.WEBHOOK_SIGNATURE_PUBLIC_KEY;
const ghl = new HighLevel({
  clientId: `${process.env.GHL_APP_ID}-bench`,
  clientSecret: 'unused',
  webhookPublicKey: publicKey,
  logLevel: 'error',
});
const middleware = ghl.webhooks.subscribe();

const out = [];
for (const c of input) {
  const raw = Buffer.from(c.body, 'base64');
  const direct = ghl.webhooks.verifyEd25519Signature(raw, c.signature, publicKey) ? 'accept' : 'reject';

  let parsed;
  try { parsed = JSON.parse(raw.toString('utf8')); } catch { parsed = {}; }
  const headers = { 'content-type': 'application/json' };
  if (c.signature) headers['x-ghl-signature'] = c.signature;
  const req = { method: 'POST', url: '/webhooks/ghl', headers, body: parsed, rawBody: raw };
  let failed = false;
  await middleware(req, {}, (err) => { if (err) failed = true; });
  const refused = failed || (req.isSignatureValid === false && !req.skippedSignatureVerification);
  out.push({ name: c.name, direct, middleware: refused ? 'reject' : 'accept' });
}
console.log(JSON.stringify(out));

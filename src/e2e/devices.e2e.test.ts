// The Devices view end to end: a paired browser approves another browser's pending request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, runCli } from '../testing/harness.js';
import { builtUiRoot, launchBrowser, openUntilPairing, screenshot, startGatewayWithPairingPrompts } from './browser.js';

test('a pending device is approved from the Devices view of a paired browser', async () => {
  builtUiRoot();
  const gw = await startGatewayWithPairingPrompts();
  const admin = await launchBrowser();
  const newcomer = await launchBrowser();
  try {
    const adminRequest = await openUntilPairing(admin, gw.httpUrl);
    assert.equal((await runCli(['devices', 'approve', adminRequest], { env: gw.state.env })).code, 0);
    await admin.page.locator('[data-conn="connected"]').waitFor({ timeout: 10_000 });
    await admin.page.click('nav a[data-tab="devices"]');
    await admin.page.locator('.devices table.paired-table').waitFor({ timeout: 10_000 });

    const pendingId = await openUntilPairing(newcomer, gw.httpUrl);
    // The admin's list updates live from device.pair.requested: no refresh.
    const row = admin.page.locator(`tr[data-request-id="${pendingId}"]`);
    await row.waitFor({ timeout: 10_000 });
    // A readable name from the user agent (not "unnamed"), a relative time, the nav badge and the title.
    assert.match(await row.locator('td[data-label="Device"]').innerText(), /^Headless Chrome on Linux$/);
    assert.match(await row.locator('td[data-label="Asked"]').innerText(), /just now|ago/);
    assert.equal(await admin.page.locator('nav a[data-tab="devices"] .badge').getAttribute('data-pending'), '1');
    assert.equal(await admin.page.title(), '(1) pairing · OpenClaw');
    await screenshot(admin.page, 'ui-devices-pending');
    // The waiting browser can change the name it asks with; the next check carries it.
    await newcomer.page.locator('section.banner[data-kind="pairing"] input[name="deviceName"]').fill('hall tablet');
    await newcomer.page.locator('section.banner[data-kind="pairing"] form.device-name-form button[type="submit"]').click();
    await eventually(async () => (await runCli(['devices', 'list', '--json'], { env: gw.state.env })).stdout.includes('hall tablet'), 20_000);
    const deviceId = await row.getAttribute('data-device-id');
    assert.ok(deviceId);
    await row.locator('button.approve').click();

    await newcomer.page.locator('[data-conn="connected"]').waitFor({ timeout: 10_000 });
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await admin.page.locator('nav a[data-tab="devices"] .badge').waitFor({ state: 'detached', timeout: 10_000 });
    const paired = admin.page.locator(`table.paired-table tr[data-device-id="${deviceId}"]`);
    await paired.waitFor({ timeout: 5000 });
    await paired.locator('td[data-label="Name"]', { hasText: 'hall tablet' }).waitFor({ timeout: 5000 });

    // Rename goes through device.pair.rename and shows up in the CLI too.
    await paired.locator('button', { hasText: 'Rename' }).click();
    await paired.locator('input[name="displayName"]').fill('kitchen laptop');
    await paired.locator('button[type="submit"]').click();
    await paired.locator('td', { hasText: 'kitchen laptop' }).waitFor({ timeout: 5000 });
    const list = await runCli(['devices', 'list', '--json'], { env: gw.state.env });
    assert.match(list.stdout, /kitchen laptop/);
    await screenshot(admin.page, 'ui-devices-approved');

    // Revoking asks first: declining keeps the token, accepting revokes it. The newcomer leaves
    // first: a paired browser that reconnects with the gateway token is issued a fresh token,
    // which would (rightly) clear the revoked tag before the admin's list reloads.
    await newcomer.page.goto('about:blank');
    const revoke = paired.locator('button.link', { hasText: 'revoke' });
    let asked = '';
    admin.page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await revoke.click();
    assert.match(asked, /Revoke the operator token of kitchen laptop\?/);
    assert.equal(await paired.locator('.tag.revoked').count(), 0, 'declined: nothing revoked');
    admin.page.once('dialog', (d) => void d.accept());
    await revoke.click();
    await paired.locator('.tag.revoked').waitFor({ timeout: 10_000 });
  } finally {
    await admin.close();
    await newcomer.close();
    await gw.stop();
  }
});

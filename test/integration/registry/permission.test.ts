/**
 * Refused credentials and refused permissions are different answers (issue 20, section 3): against the world's
 * token registry (alice may push, bob may only pull) and its htpasswd registry, through the real dispatcher.
 * A wrong password blames the credentials (`unauthorized`); a valid user without push is `denied` and named;
 * the promotion plan says before any write whether the target accepts the push, or that it cannot know.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRequestLog } from '../../env/registry';
import { failure } from '../../env/failure';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';

const world = inject('world');
const token = world.token;
const alice = token.users.find((user) => user.access !== 'pull')!;
const bob = token.users.find((user) => user.access === 'pull')!;
const source = `${token.host}/dev/app:1.0.0`;

let asBob: Harness;
let asAlice: Harness;
let wrongPassword: Harness;
beforeAll(async () => {
  [asBob, asAlice, wrongPassword] = await Promise.all([
    startHarness([{ host: token.host, users: [bob] }, world.basic]),
    startHarness([{ host: token.host, users: [alice] }]),
    startHarness([{ host: token.host, users: [{ username: bob.username, password: `${bob.password}-wrong` }] }]),
  ]);
});
afterAll(async () => {
  await Promise.all([asBob?.close(), asAlice?.close(), wrongPassword?.close()]);
});

describe('a pull-only user promoting into a token registry', () => {
  it('is told by the plan, before confirming, that bob may pull but not push', async () => {
    const repository = `${uniqueName('scratch-perm')}/svc`;
    const plan = await asBob.call('promotion.plan', { source, target: `${token.host}/${repository}:1.0.0` });
    expect(plan.pushAccess).toEqual({
      status: 'denied',
      user: bob.username,
      message: expect.stringContaining(`${bob.username} may pull but not push to ${repository}`),
    });
  });

  it('fails the push as denied, naming bob, the action and the repository, and not the password', async () => {
    const repository = `${uniqueName('scratch-perm')}/svc`;
    const target = `${token.host}/${repository}:1.0.0`;
    const error = await failure(asBob.call('promotion.execute', { source, target }));
    expect(error.code).toBe('denied');
    // Refused before any write, from the plan's own push check (the token service's grant), so the words are
    // always the plan's: a refusal from one of the mounts named whichever scope its token lacked.
    expect(error.message).toContain(`${bob.username} may pull but not push to ${repository}`);
    expect(error.message).toContain('Nothing was written.');
    expect(error.message).not.toMatch(/password|credentials/i);
    expect(error.details).toMatchObject({ registry: token.host, user: bob.username, repository, missing: 'push' });
    // Nothing reached the target repository.
    const written = (await readRequestLog(token.accessLogFile)).filter(
      (entry) => entry.path.startsWith(`/v2/${repository}/`) && entry.status < 300 && entry.method !== 'HEAD',
    );
    expect(written).toEqual([]);
  });

  it('a user who may push sees the push granted in the plan', async () => {
    const repository = `${uniqueName('scratch-perm')}/svc`;
    const plan = await asAlice.call('promotion.plan', { source, target: `${token.host}/${repository}:1.0.0` });
    expect(plan.pushAccess).toEqual({
      status: 'granted',
      user: alice.username,
      message: `${alice.username} may push to ${repository}.`,
    });
  });

  it('a Basic-auth registry cannot be asked without writing: the plan says "not checked", not a guess', async () => {
    const repository = `${uniqueName('scratch-perm')}/svc`;
    const plan = await asBob.call('promotion.plan', {
      source: `${world.basic.host}/dev/app:1.0.0`,
      target: `${world.basic.host}/${repository}:1.0.0`,
    });
    expect(plan.pushAccess.status).toBe('unchecked');
    expect(plan.pushAccess.message).toMatch(/^Push access not checked: /);
    expect(plan.pushAccess.message).toContain('Basic');
  });
});

describe('refused credentials', () => {
  it('a refused token request blames the credentials, not a permission', async () => {
    const error = await failure(
      wrongPassword.call('promotion.plan', { source, target: `${token.host}/${uniqueName('scratch-perm')}/svc:1` }),
    );
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('refused the saved credentials');
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '@brewops/platform';
import { MEMBER_MIGRATIONS } from '../../src/db/schema.js';
import { MembersRepo } from '../../src/db/members-repo.js';

test('every instance seeds the same members, with the tier discount', () => {
  const a = new MembersRepo(openDatabase({ file: ':memory:', migrations: MEMBER_MIGRATIONS }));
  const b = new MembersRepo(openDatabase({ file: ':memory:', migrations: MEMBER_MIGRATIONS }));
  assert.deepEqual(a.find('m-100'), { id: 'm-100', displayName: 'Ada', tier: 'gold', discountPercent: 10 });
  assert.deepEqual(a.find('m-200'), b.find('m-200'));
  assert.equal(a.find('m-999'), undefined);
});

-- Operator functions: what each does, and each refusal (SQLSTATE + message).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(78);
\ir helpers.psql
SET ROLE gkey_test_operator;

-- create_application
SELECT ok(gkey.create_application('hvac') > 0, 'create_application returns the new id');
SELECT is((SELECT (gk_alg, key_lifetime, rotation_overlap)::text FROM gkey.application WHERE name = 'hvac'),
	'(aes-128,"1 day",01:00:00)', 'create_application defaults: aes-128, 1 day, 1 hour');
SELECT is(pg_temp.epochs('hvac'), '1:now..now+1 day', 'create_application makes epoch 1 valid from now for the lifetime');
SELECT ok((SELECT material IS NULL FROM gkey.group_key k JOIN gkey.application a ON a.id = k.app_id
	   WHERE a.name = 'hvac'), 'epoch 1 has no material until a module fills it');
SELECT is(gkey.create_application('energy', 'aes-256', '7 days', '1 day', 4294967295), 4294967295::bigint,
	'create_application takes aes-256 and the largest uint32 id');
SELECT is(pg_temp.epochs('energy'), '1:now..now+7 days', 'epoch 1 follows the lifetime given');
SELECT lives_ok($$SELECT gkey.create_application(repeat('é', 32))$$, 'a 64-octet UTF-8 name is accepted');
-- Ids: an automatic id skips one an operator chose.
CREATE TEMP TABLE ids AS SELECT nextval(pg_get_serial_sequence('gkey.application', 'id')) AS last;
SELECT lives_ok(format($$SELECT gkey.create_application('chosen', p_id => %s)$$, (SELECT last + 1 FROM ids)),
	'an explicit id is accepted');
SELECT is(gkey.create_application('auto'), (SELECT last + 2 FROM ids), 'an automatic id skips the explicitly used one');
SELECT throws_ok($$SELECT gkey.create_application('hvac')$$, '23505',
	'gkey: application "hvac" already exists', 'create_application refuses a duplicate name');
SELECT throws_ok($$SELECT gkey.create_application('other', p_id => 4294967295)$$, '23505',
	'gkey: application id 4294967295 is already in use', 'create_application refuses a duplicate id');
SELECT throws_ok($$SELECT gkey.create_application('x', 'aes-192')$$, '22023',
	'gkey: unsupported group key algorithm "aes-192" (aes-128 or aes-256)', 'create_application refuses an unknown algorithm');
SELECT throws_ok($$SELECT gkey.create_application('x', 'aes-128', '1 hour', '1 hour')$$, '22023',
	'gkey: rotation overlap (01:00:00) must be shorter than the key lifetime (01:00:00)',
	'create_application refuses overlap = lifetime');
SELECT throws_ok($$SELECT gkey.create_application('x', 'aes-128', '1 hour', '2 hours')$$, '22023',
	'gkey: rotation overlap (02:00:00) must be shorter than the key lifetime (01:00:00)',
	'create_application refuses overlap > lifetime');
SELECT throws_ok($$SELECT gkey.create_application('x', 'aes-128', '0', '0')$$, '22023',
	'gkey: key lifetime must be positive', 'create_application refuses a zero lifetime');
SELECT throws_ok($$SELECT gkey.create_application('x', 'aes-128', '-1 day', '0')$$, '22023',
	'gkey: key lifetime must be positive', 'create_application refuses a negative lifetime');
SELECT throws_ok($$SELECT gkey.create_application('x', 'aes-128', '1 day', '-1 hour')$$, '22023',
	'gkey: rotation overlap must not be negative', 'create_application refuses a negative overlap');
SELECT throws_ok($$SELECT gkey.create_application('')$$, '22023',
	'gkey: application name must be 1 to 64 octets of UTF-8', 'create_application refuses an empty name');
SELECT throws_ok($$SELECT gkey.create_application(repeat('é', 33))$$, '22023',
	'gkey: application name must be 1 to 64 octets of UTF-8', 'create_application counts octets: 33 x é is 66');
SELECT throws_ok($$SELECT gkey.create_application(E'bad\nname')$$, '22023',
	'gkey: application name must not contain control characters', 'create_application refuses control characters');
SELECT throws_ok($$SELECT gkey.create_application('x', p_id => 0)$$, '22023',
	'gkey: application id 0 is outside 1..4294967295', 'create_application refuses id 0');
SELECT throws_ok($$SELECT gkey.create_application('x', p_id => 4294967296)$$, '22023',
	'gkey: application id 4294967296 is outside 1..4294967295', 'create_application refuses an id above uint32');
SELECT is((SELECT count(*)::int FROM gkey.application WHERE name = 'x'), 0, 'no refused application was created');

-- enroll
SELECT ok(gkey.enroll(pg_temp.fp(1), '/O=gkey test/CN=gkey Devices CA', '1001', '/O=gkey test/CN=phone-1',
	pg_temp.spki(1), '2026-01-01', '2028-01-01', 'user') > 0, 'enroll returns the new identity id');
SELECT is((SELECT (issuer, serial, subject, kind, status, status_reason IS NULL, status_changed = now(),
		not_before, not_after)::text
	   FROM gkey.identity WHERE fingerprint = pg_temp.fp(1)),
	'("/O=gkey test/CN=gkey Devices CA",1001,"/O=gkey test/CN=phone-1",user,active,t,t,"2026-01-01 00:00:00+00","2028-01-01 00:00:00+00")',
	'enroll stores the certificate as given, active');
SELECT is((SELECT spki FROM gkey.identity WHERE fingerprint = pg_temp.fp(1)), pg_temp.spki(1), 'enroll stores the SPKI DER');
SELECT lives_ok($$SELECT gkey.enroll(pg_temp.fp(2), '/CN=CA', '00AB', '/CN=n2', pg_temp.spki(2),
	now(), now() + interval '1 day', 'iot')$$, 'enroll accepts an upper-case serial');
SELECT is((SELECT serial FROM gkey.identity WHERE fingerprint = pg_temp.fp(2)), '00ab',
	'the serial is stored lower-case with its leading zeros');
SELECT throws_ok(format($$SELECT gkey.enroll(pg_temp.fp(1), '/CN=CA', '99', '/CN=n', pg_temp.spki(1),
	now(), now() + interval '1 day', 'iot')$$), '23505',
	format('gkey: certificate already enrolled as identity %s', gkey.identity_id(pg_temp.fp(1))),
	'enroll refuses a certificate enrolled before (same fingerprint)');
SELECT throws_ok($$SELECT gkey.enroll(pg_temp.fp(3), '/CN=CA', '00ab', '/CN=n3', pg_temp.spki(3),
	now(), now() + interval '1 day', 'iot')$$, '23505',
	format('gkey: issuer /CN=CA serial 00ab already enrolled as identity %s', gkey.identity_id(pg_temp.fp(2))),
	'enroll refuses a second certificate with the same issuer and serial');
SELECT throws_ok($$SELECT gkey.enroll(substr(pg_temp.fp(3), 1, 31), '/CN=CA', '03', '/CN=n3', pg_temp.spki(3),
	now(), now() + interval '1 day', 'iot')$$, '22023',
	'gkey: fingerprint must be 32 octets (SHA-256), got 31', 'enroll refuses a short fingerprint');
SELECT throws_ok($$SELECT gkey.enroll(pg_temp.fp(3), '/CN=CA', '03', '/CN=n3', pg_temp.spki(3),
	now(), now() + interval '1 day', 'sensor')$$, '22023',
	'gkey: kind must be user or iot, not "sensor"', 'enroll refuses an unknown kind');
SELECT throws_ok($$SELECT gkey.enroll(pg_temp.fp(3), '/CN=CA', '03', '/CN=n3', pg_temp.spki(3),
	now(), now(), 'iot')$$, '22023',
	'gkey: certificate validity must end after it starts', 'enroll refuses not_after = not_before');
SELECT throws_ok($$SELECT gkey.enroll(pg_temp.fp(3), '/CN=CA', '03', '/CN=n3', pg_temp.spki(3),
	now(), now() - interval '1 day', 'iot')$$, '22023',
	'gkey: certificate validity must end after it starts', 'enroll refuses not_after before not_before');
SELECT throws_ok($$SELECT gkey.enroll(pg_temp.fp(3), '/CN=CA', '0x03', '/CN=n3', pg_temp.spki(3),
	now(), now() + interval '1 day', 'iot')$$, '22023',
	'gkey: serial "0x03" is not hexadecimal', 'enroll refuses a serial that is not bare hex');
SELECT throws_ok($$SELECT gkey.enroll(pg_temp.fp(3), '', '03', '/CN=n3', pg_temp.spki(3),
	now(), now() + interval '1 day', 'iot')$$, '22023',
	'gkey: issuer must not be empty', 'enroll refuses an empty issuer');
SELECT throws_ok($$SELECT gkey.enroll(pg_temp.fp(3), '/CN=CA', '03', '/CN=n3', '\x0102'::bytea,
	now(), now() + interval '1 day', 'iot')$$, '22023',
	'gkey: public key is not a SubjectPublicKeyInfo DER', 'enroll refuses a public key that is not DER');
SELECT is((SELECT count(*)::int FROM gkey.identity), 2, 'no refused certificate was enrolled');

-- identity_id
SELECT is(gkey.identity_id(pg_temp.fp(1)), (SELECT id FROM gkey.identity WHERE serial = '1001'),
	'identity_id finds an identity by fingerprint');
SELECT throws_ok($$SELECT gkey.identity_id(pg_temp.fp(99))$$, 'P0002',
	format('gkey: no identity with fingerprint %s', encode(pg_temp.fp(99), 'hex')),
	'identity_id refuses an unknown fingerprint');
SELECT throws_ok($$SELECT gkey.identity_id('\x00'::bytea)$$, '22023',
	'gkey: fingerprint must be 32 octets (SHA-256), got 1', 'identity_id refuses a malformed fingerprint');

-- grant
CREATE TEMP TABLE n AS SELECT gkey.identity_id(pg_temp.fp(1)) AS phone, gkey.identity_id(pg_temp.fp(2)) AS two;
SELECT lives_ok(format($$SELECT gkey.grant(%s, 'hvac')$$, (SELECT phone FROM n)), 'grant without expiry');
SELECT lives_ok(format($$SELECT gkey.grant(%s, 'energy', now() + interval '30 days')$$, (SELECT phone FROM n)),
	'grant with an expiry');
SELECT is((SELECT string_agg(a.name || ':' || coalesce((g.expires - now())::text, 'never'), ' ' ORDER BY a.name)
	   FROM gkey.grant g JOIN gkey.application a ON a.id = g.app_id WHERE g.identity_id = (SELECT phone FROM n)),
	'energy:30 days hvac:never', 'the grants are stored with their expiry');
SELECT throws_ok(format($$SELECT gkey.grant(%s, 'hvac')$$, (SELECT phone FROM n)), '23505',
	format('gkey: identity %s already holds a grant for "hvac"', (SELECT phone FROM n)), 'grant refuses a duplicate');
SELECT throws_ok($$SELECT gkey.grant(-1, 'hvac')$$, 'P0002', 'gkey: no identity -1', 'grant refuses an unknown identity');
SELECT throws_ok(format($$SELECT gkey.grant(%s, 'nosuch')$$, (SELECT phone FROM n)), 'P0002',
	'gkey: no application "nosuch"', 'grant refuses an unknown application');
SELECT throws_ok(format($$SELECT gkey.grant(%s, 'auto', now() - interval '1 second')$$, (SELECT phone FROM n)), '22023',
	NULL, 'grant refuses an expiry in the past');

-- revoke_grant
SELECT lives_ok(format($$SELECT gkey.revoke_grant(%s, 'energy')$$, (SELECT phone FROM n)), 'revoke_grant');
SELECT is((SELECT count(*)::int FROM gkey.grant WHERE identity_id = (SELECT phone FROM n)), 1, 'revoke_grant removed the grant');
SELECT throws_ok(format($$SELECT gkey.revoke_grant(%s, 'energy')$$, (SELECT phone FROM n)), 'P0002',
	format('gkey: identity %s holds no grant for "energy"', (SELECT phone FROM n)), 'revoke_grant refuses a grant that is not there');
SELECT throws_ok(format($$SELECT gkey.revoke_grant(%s, 'nosuch')$$, (SELECT phone FROM n)), 'P0002',
	format('gkey: identity %s holds no grant for "nosuch"', (SELECT phone FROM n)), 'revoke_grant refuses an unknown application');

-- suspend_identity / reinstate_identity
SELECT lives_ok(format($$SELECT gkey.suspend_identity(%s, 'lost on the bus')$$, (SELECT two FROM n)), 'suspend_identity');
SELECT is((SELECT (status, status_reason, status_changed = now())::text FROM gkey.identity WHERE id = (SELECT two FROM n)),
	'(suspended,"lost on the bus",t)', 'suspend_identity records status, reason and time');
SELECT throws_ok(format($$SELECT gkey.suspend_identity(%s, 'again')$$, (SELECT two FROM n)), '55000',
	format('gkey: identity %s is suspended, not active', (SELECT two FROM n)), 'suspend_identity refuses a suspended identity');
SELECT throws_ok(format($$SELECT gkey.suspend_identity(%s, ' ')$$, (SELECT phone FROM n)), '22023',
	'gkey: a reason is required', 'suspend_identity requires a reason');
SELECT throws_ok($$SELECT gkey.suspend_identity(-1, 'x')$$, 'P0002', 'gkey: no identity -1', 'suspend_identity refuses an unknown identity');
SELECT lives_ok(format($$SELECT gkey.grant(%s, 'hvac')$$, (SELECT two FROM n)), 'a suspended identity can still be granted');
SELECT lives_ok(format($$SELECT gkey.reinstate_identity(%s)$$, (SELECT two FROM n)), 'reinstate_identity');
SELECT is((SELECT (status, status_reason IS NULL)::text FROM gkey.identity WHERE id = (SELECT two FROM n)),
	'(active,t)', 'reinstate_identity makes it active and clears the reason');
SELECT throws_ok(format($$SELECT gkey.reinstate_identity(%s)$$, (SELECT two FROM n)), '55000',
	format('gkey: identity %s is active, not suspended', (SELECT two FROM n)), 'reinstate_identity refuses an active identity');
SELECT throws_ok($$SELECT gkey.reinstate_identity(-1)$$, 'P0002', 'gkey: no identity -1', 'reinstate_identity refuses an unknown identity');

-- revoke_identity (its rotations: 03_rotation.sql)
SELECT is(gkey.revoke_identity((SELECT two FROM n), 'key compromised'), 1, 'revoke_identity returns the number of applications rotated');
SELECT is((SELECT (status, status_reason, status_changed = now())::text FROM gkey.identity WHERE id = (SELECT two FROM n)),
	'(revoked,"key compromised",t)', 'revoke_identity records status, reason and time');
SELECT throws_ok(format($$SELECT gkey.revoke_identity(%s, 'again')$$, (SELECT two FROM n)), '55000',
	format('gkey: identity %s is already revoked', (SELECT two FROM n)), 'revoking twice is refused');
SELECT throws_ok(format($$SELECT gkey.reinstate_identity(%s)$$, (SELECT two FROM n)), '55000',
	format('gkey: identity %s is revoked, not suspended', (SELECT two FROM n)), 'a revoked identity cannot be reinstated');
SELECT throws_ok(format($$SELECT gkey.suspend_identity(%s, 'x')$$, (SELECT two FROM n)), '55000',
	format('gkey: identity %s is revoked, not active', (SELECT two FROM n)), 'a revoked identity cannot be suspended');
SELECT throws_ok(format($$SELECT gkey.grant(%s, 'energy')$$, (SELECT two FROM n)), '55000',
	format('gkey: identity %s is revoked', (SELECT two FROM n)), 'grant refuses a revoked identity');
SELECT throws_ok(format($$SELECT gkey.revoke_identity(%s, 'x', '-1 minute')$$, (SELECT phone FROM n)), '22023',
	'gkey: grace must not be negative', 'revoke_identity refuses a negative grace');
SELECT throws_ok(format($$SELECT gkey.revoke_identity(%s, '')$$, (SELECT phone FROM n)), '22023',
	'gkey: a reason is required', 'revoke_identity requires a reason');
SELECT throws_ok($$SELECT gkey.revoke_identity(-1, 'x')$$, 'P0002', 'gkey: no identity -1', 'revoke_identity refuses an unknown identity');
SELECT is((SELECT status FROM gkey.identity WHERE id = (SELECT phone FROM n)), 'active', 'refused revocations changed nothing');

-- rotate / rotate_all_due refusals (semantics: 03_rotation.sql)
SELECT throws_ok($$SELECT gkey.rotate('nosuch')$$, 'P0002', 'gkey: no application "nosuch"', 'rotate refuses an unknown application');
SELECT throws_ok($$SELECT gkey.rotate('hvac', '-1 second')$$, '22023', 'gkey: grace must not be negative', 'rotate refuses a negative grace');
SELECT is(gkey.rotate_all_due(), 0, 'rotate_all_due: nothing is due right after creation');

-- Deleting an application takes its keys and grants with it.
RESET ROLE;
SELECT lives_ok($$DELETE FROM gkey.application WHERE name = 'hvac'$$, 'an operator can delete an application');
SELECT is((SELECT count(*)::int FROM gkey.grant g LEFT JOIN gkey.application a ON a.id = g.app_id WHERE a.id IS NULL),
	0, 'its grants went with it');
SELECT is((SELECT count(*)::int FROM gkey.group_key k LEFT JOIN gkey.application a ON a.id = k.app_id WHERE a.id IS NULL),
	0, 'its keys went with it');

SELECT * FROM finish();
ROLLBACK;

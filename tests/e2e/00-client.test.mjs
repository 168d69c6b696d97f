// The UI's API client understands each module's envelope and error body
// (examples taken from the five API documents). Runs without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/lib/api.js'), 'utf8');
const { normaliseError, unwrap, ApiError } = await import(`data:text/javascript,${encodeURIComponent(src)}`);

test('training and platform: {error:{code,message,details:[{field,message}]}}', () => {
  const e = normaliseError({ error: { code: 'VALIDATION_ERROR', message: 'Validation failed', details: [
    { field: 'name', message: 'Name must be at least 3 characters' }, { field: 'aiConfig.temperature', message: 'Temperature must be between 0 and 2' }] } }, 422);
  assert.equal(e.code, 'VALIDATION_ERROR');
  assert.deepEqual(e.fields, { name: 'Name must be at least 3 characters', 'aiConfig.temperature': 'Temperature must be between 0 and 2' });
});

test('chatbot: {status:"error", error:{code,message,details}, meta}', () => {
  const e = normaliseError({ status: 'error', error: { code: 'VALIDATION_ERROR', message: 'Invalid request', details: [{ field: 'content.text', message: 'required' }], trace_id: 't' }, meta: { request_id: 'r' } }, 400);
  assert.equal(e.message, 'Invalid request');
  assert.deepEqual(e.fields, { 'content.text': 'required' });
  // the served shape: details {errors: [...], field, reason}
  const f = normaliseError({ status: 'error', error: { code: 'VALIDATION_ERROR', message: 'Invalid email format', details: { errors: [{ field: 'email', message: 'Invalid email format' }], field: 'email', reason: 'Invalid email format' } } }, 400);
  assert.deepEqual(f.fields, { email: 'Invalid email format' });
  const g = normaliseError({ status: 'error', error: { code: 'VALIDATION_ERROR', message: 'bad', details: { field: 'X-Tenant-ID', reason: 'required' } } }, 400);
  assert.deepEqual(g.fields, { 'X-Tenant-ID': 'required' });
});

test('contact center: {detail, error_code, field}', () => {
  const e = normaliseError({ detail: 'must be a valid phone number', error_code: 'VALIDATION_ERROR', field: 'phone_number', timestamp: 'x' }, 422);
  assert.equal(e.code, 'VALIDATION_ERROR');
  assert.deepEqual(e.fields, { phone_number: 'must be a valid phone number' });
  assert.equal(normaliseError({ detail: 'Campaign not found', error_code: 'NOT_FOUND', field: null }, 404).message, 'Campaign not found');
});

test('marketplace: {success:false, error:{code,message,details}}', () => {
  const e = normaliseError({ success: false, error: { code: 'VALIDATION_ERROR', message: 'Invalid pricing data', details: [{ field: 'flatRate', message: 'required for flat pricing' }] } }, 400);
  assert.deepEqual(e.fields, { flatRate: 'required for flat pricing' });
});

test('planning: {success:false, error:"…", code, details:{field:[msgs]}}', () => {
  const e = normaliseError({ success: false, error: 'Validation failed', code: 'VALIDATION_ERROR', details: { name: ['Name is required', 'Too short'], mode: ['Invalid mode'] } }, 400);
  assert.equal(e.message, 'Validation failed');
  assert.equal(e.code, 'VALIDATION_ERROR');
  assert.deepEqual(e.fields, { name: 'Name is required; Too short', mode: 'Invalid mode' });
});

test('unknown or empty bodies still give a readable message', () => {
  assert.equal(normaliseError(null, 502).message, 'Request failed with status 502');
  assert.equal(normaliseError('<html>Bad gateway</html>', 502).message, '<html>Bad gateway</html>');
});

test('success envelopes are unwrapped per module', () => {
  assert.deepEqual(unwrap({ status: 'success', data: { a: 1 } }).data, { a: 1 });                      // chatbot
  const m = unwrap({ success: true, data: [1, 2], message: 'ok', metadata: { total: 2, page: 1, limit: 20 } }); // marketplace
  assert.deepEqual(m.data, [1, 2]);
  assert.equal(m.meta.total, 2);
  assert.deepEqual(unwrap({ success: true, data: { versions: [] } }).data, { versions: [] });            // planning
  assert.deepEqual(unwrap([{ id: 1 }]).data, [{ id: 1 }]);                                              // contact center (bare array)
  const t = { data: [], pagination: { total: 0 }, filters: {} };                                        // training list (bare object)
  assert.equal(unwrap(t).data, t);
});

test('a missing route (404 NOT_FOUND or 405) counts as "not served yet", a missing record does not', () => {
  assert.ok(new ApiError({ status: 404, code: 'NOT_FOUND', message: 'The requested resource was not found' }).notServed);
  assert.ok(new ApiError({ status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Method not allowed for this resource' }).notServed);
  assert.ok(!new ApiError({ status: 404, code: 'SCENARIO_NOT_FOUND', message: 'Scenario not found' }).notServed);
  assert.ok(!new ApiError({ status: 404, code: 'NOT_FOUND', message: 'Campaign 9999 not found' }).notServed);
  assert.ok(!new ApiError({ status: 422, code: 'VALIDATION_ERROR', message: 'Validation failed' }).notServed);
});

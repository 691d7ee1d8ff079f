/**
 * Every field a Kibana saved object in dashboards/kibana/*.ndjson references (index-pattern time
 * field, saved-search columns, sort and KQL query, visualization aggregations) exists in the live
 * search backend's mapping of that index pattern with a compatible type; every reference between
 * objects resolves. Kibana does not run here (ADR 0001): this is how the objects are verified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, root, urls } from '../support/stack.js';

interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: Array<{ name: string; type: string; id: string }>;
}
type Need = 'any' | 'sortable' | 'aggregatable' | 'date';
interface FieldUse { object: string; pattern: string; field: string; need: Need }

const AGGREGATABLE = new Set(['keyword', 'long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'date', 'boolean', 'ip']);
const compatible = (type: string, need: Need): boolean =>
  need === 'any' ? true : need === 'date' ? type === 'date' : AGGREGATABLE.has(type);

function loadObjects(): SavedObject[] {
  const dir = join(root, 'dashboards', 'kibana');
  return readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort().flatMap((f) =>
    readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as SavedObject));
}

/** `path → type` of every field in the mapping of all indices matching `pattern` (sub-fields included). */
async function liveFields(pattern: string): Promise<Map<string, Set<string>>> {
  const res = await getJson<Record<string, { mappings: { properties?: Record<string, unknown> } }>>(`${urls.search()}/${pattern}/_mapping`);
  const out = new Map<string, Set<string>>();
  const walk = (props: Record<string, unknown>, prefix: string): void => {
    for (const [name, def] of Object.entries(props)) {
      const d = def as { type?: string; properties?: Record<string, unknown>; fields?: Record<string, { type: string }> };
      const path = `${prefix}${name}`;
      if (d.properties) walk(d.properties, `${path}.`);
      if (d.type) out.set(path, (out.get(path) ?? new Set()).add(d.type));
      for (const [sub, sd] of Object.entries(d.fields ?? {})) out.set(`${path}.${sub}`, (out.get(`${path}.${sub}`) ?? new Set()).add(sd.type));
    }
  };
  for (const idx of Object.values(res)) walk(idx.mappings.properties ?? {}, '');
  return out;
}

/** Field names in a KQL query (`field : value`). */
const kqlFields = (q: string): string[] => [...q.matchAll(/([A-Za-z_@][\w.@]*)\s*:/g)].map((m) => m[1]!);

function fieldUses(objects: SavedObject[]): FieldUse[] {
  const patterns = new Map(objects.filter((o) => o.type === 'index-pattern').map((o) => [o.id, String(o.attributes['title'])]));
  const uses: FieldUse[] = [];
  for (const o of objects) {
    const name = `${o.type} "${String(o.attributes['title'])}"`;
    if (o.type === 'index-pattern') {
      uses.push({ object: name, pattern: String(o.attributes['title']), field: String(o.attributes['timeFieldName']), need: 'date' });
      continue;
    }
    const ref = o.references.find((r) => r.type === 'index-pattern');
    if (!ref) continue;
    const pattern = patterns.get(ref.id);
    assert.ok(pattern, `${name} references index pattern ${ref.id}, which no saved object defines`);
    const meta = o.attributes['kibanaSavedObjectMeta'] as { searchSourceJSON: string };
    const source = JSON.parse(meta.searchSourceJSON) as { query: { query: string } };
    for (const f of kqlFields(source.query.query)) uses.push({ object: name, pattern, field: f, need: 'any' });
    if (o.type === 'search') {
      for (const c of o.attributes['columns'] as string[]) uses.push({ object: name, pattern, field: c, need: 'any' });
      for (const [f] of o.attributes['sort'] as Array<[string, string]>) uses.push({ object: name, pattern, field: f, need: 'sortable' });
    }
    if (o.type === 'visualization') {
      const vis = JSON.parse(String(o.attributes['visState'])) as { aggs: Array<{ type: string; params: { field?: string } }> };
      for (const a of vis.aggs) {
        if (a.params.field) uses.push({ object: name, pattern, field: a.params.field, need: a.type === 'date_histogram' ? 'date' : 'aggregatable' });
      }
    }
  }
  return uses;
}

test('Kibana saved objects: every referenced field exists in the live mapping with a compatible type', async () => {
  const objects = loadObjects();
  const byId = new Map(objects.map((o) => [`${o.type}:${o.id}`, o]));
  const titles = objects.map((o) => `${o.type}:${String(o.attributes['title'])}`);
  console.log(`  ${objects.length} saved objects: ${titles.join(', ')}`);
  for (const want of ['index-pattern:logs-brewops-*', 'index-pattern:events-brewops-*', 'search:errors', 'search:one correlation ID', 'search:one trace', 'dashboard:brewops logs']) {
    assert.ok(titles.includes(want), `missing saved object ${want}`);
  }
  for (const o of objects) {
    for (const r of o.references) assert.ok(byId.has(`${r.type}:${r.id}`), `${o.type} ${o.id}: reference ${r.name} → ${r.type}:${r.id} does not resolve`);
  }

  const uses = fieldUses(objects);
  const mappings = new Map<string, Map<string, Set<string>>>();
  const problems: string[] = [];
  const checked = new Map<string, string>();
  for (const u of uses) {
    if (!mappings.has(u.pattern)) mappings.set(u.pattern, await liveFields(u.pattern));
    const types = mappings.get(u.pattern)!.get(u.field);
    const key = `${u.pattern} ${u.field}`;
    if (!types) { problems.push(`${u.object}: ${u.field} is not in the mapping of ${u.pattern}`); continue; }
    if (types.size > 1) problems.push(`${u.object}: ${u.field} has conflicting types ${[...types].join('/')} across ${u.pattern}`);
    const type = [...types][0]!;
    if (!compatible(type, u.need)) problems.push(`${u.object}: ${u.field} is ${type}, needs ${u.need}`);
    if (!checked.has(key) || u.need !== 'any') checked.set(key, `${type}${u.need === 'any' ? '' : ` (${u.need})`}`);
  }
  for (const [k, v] of [...checked].sort()) console.log(`  ${k}: ${v}`);
  console.log(`  ${uses.length} field references, ${checked.size} distinct fields checked`);
  assert.deepEqual(problems, []);
});

import type { CollectorConfig } from './config.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/** Mappings shared by the log and event indices: IDs, service and level are keywords; time is a date. */
/** The index pattern a template applies to, and its explicit field mappings. */
export function templateMappings(t: { body: Record<string, unknown> }): { pattern: string; properties: Record<string, unknown> } {
  const body = t.body as { index_patterns: string[]; template: { mappings: { properties: Record<string, unknown> } } };
  return { pattern: body.index_patterns.join(','), properties: body.template.mappings.properties };
}

export function indexTemplates(cfg: CollectorConfig): Array<{ name: string; body: Record<string, unknown> }> {
  const settings = { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' };
  const stringsAsKeywords = [{ strings: { match_mapping_type: 'string', mapping: keyword } }];
  return [
    {
      name: `${cfg.templatePrefix}-logs`,
      body: {
        index_patterns: [`${cfg.logIndexPrefix}-*`],
        template: {
          settings,
          mappings: {
            dynamic_templates: stringsAsKeywords,
            properties: {
              '@timestamp': { type: 'date' },
              // `message.keyword`: top messages (Kibana "top error messages") need an aggregatable field.
              message: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
              log: { properties: { level: keyword } },
              service: { properties: { name: keyword, instance: { properties: { id: keyword } }, version: keyword } },
              trace: { properties: { id: keyword } },
              span: { properties: { id: keyword } },
              correlation: { properties: { id: keyword } },
              error: { properties: { type: keyword, message: { type: 'text' }, stack_trace: { type: 'text', index: false } } },
              // ECS objects, mapped up front: whichever line of the day came first would otherwise
              // decide (a plain `event: "x"` made `event` a keyword and refused every `event.duration`).
              event: { properties: { duration: { type: 'long' }, action: keyword } },
              host: { properties: { hostname: keyword } },
              labels: { type: 'object' },
              // logged both as a number (an event's schema version) and as a string ("0.1.0"):
              // whichever came first would decide, and the other kind would be refused
              version: keyword,
            },
          },
        },
      },
    },
    {
      name: `${cfg.templatePrefix}-events`,
      body: {
        index_patterns: [`${cfg.eventIndexPrefix}-*`],
        template: {
          settings,
          mappings: {
            dynamic_templates: stringsAsKeywords,
            properties: {
              '@timestamp': { type: 'date' },
              messageId: keyword,
              type: keyword,
              version: { type: 'integer' },
              occurredAt: { type: 'date' },
              correlationId: keyword,
              orderId: keyword,
              payload: { type: 'object', enabled: true },
            },
          },
        },
      },
    },
    {
      name: `${cfg.templatePrefix}-deadletter`,
      body: {
        index_patterns: [cfg.deadLetterIndex],
        template: {
          settings,
          mappings: {
            dynamic: false,
            properties: {
              '@timestamp': { type: 'date' },
              reason: keyword,
              source: keyword,
              raw: { type: 'text', index: false },
            },
          },
        },
      },
    },
  ];
}

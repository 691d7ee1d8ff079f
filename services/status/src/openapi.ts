/** OpenAPI 3.1 description of the status API, served at GET /v1/openapi.json. */
const change = { type: 'object', properties: { orderId: { type: 'string' }, status: { type: 'string' }, at: { type: 'string' }, eventId: { type: 'string' }, eventType: { type: 'string' }, detail: { type: 'string' } } };
export const STATUS_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'brewops status', version: '1.0.0', description: 'Order status read model (CQRS), built only from domain events.' },
  paths: {
    '/v1/orders/{id}/status': {
      get: {
        summary: 'Current status and history of one order',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'placed | paid | payment_declined | ready | rejected | refunded | completed | cancelled, with history', content: { 'application/json': { schema: { type: 'object', properties: { orderId: { type: 'string' }, status: { type: 'string' }, updatedAt: { type: 'string' }, history: { type: 'array', items: change } } } } } }, 404: { description: 'No event for this order yet' } },
      },
    },
    '/v1/orders/{id}/status/stream': {
      get: {
        summary: 'Server-sent events: every status change of one order (past ones first); ends after completed/cancelled',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: '`event: status` frames with a JSON change', content: { 'text/event-stream': { schema: change } } } },
      },
    },
    '/v1/status/stream': {
      get: { summary: 'Server-sent events: every order\'s status changes, live', responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: change } } } } },
    },
  },
} as const;

/** OpenAPI 3.1 description of the barista API, served at GET /v1/openapi.json. */
const err = (description: string) => ({ description });
export const BARISTA_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'brewops barista', version: '1.0.0', description: 'Stock and brewing: brews paid orders, rejects them when out of stock.' },
  paths: {
    '/v1/stock': { get: { summary: 'Stock per SKU', responses: { 200: { description: '{ items: [{ sku, quantity }] }' } } } },
    '/v1/stock/{sku}': {
      put: {
        summary: 'Set the stock of a SKU (restock, or run out)',
        parameters: [{ name: 'sku', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required: ['quantity'], properties: { quantity: { type: 'integer', minimum: 0 } } } } } },
        responses: { 200: { description: 'The new stock' }, 400: err('Invalid quantity'), 404: err('SKU not stocked'), 415: err('Not JSON') },
      },
    },
    '/v1/brews/{orderId}': {
      get: {
        summary: 'The brew of one order',
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: '{ orderId, status: ready|rejected, reason, brewMs, at }' }, 404: err('Not brewed (yet)') },
      },
    },
  },
} as const;

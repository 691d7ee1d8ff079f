/** OpenAPI 3.1 description of the order API, served at GET /v1/openapi.json. */
const Error = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: Error } } });

export const ORDER_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'brewops order', version: '1.0.0', description: 'Menu and orders. Placing an order starts the saga (payment → barista).' },
  paths: {
    '/v1/menu': { get: { summary: 'The menu', responses: { 200: { description: 'Menu items with prices in cents' } } } },
    '/v1/orders': {
      post: {
        summary: 'Place an order',
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' }, description: 'A retried request with the same key gets the same response.' }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PlaceOrder' } } } },
        responses: {
          201: { description: 'Order accepted (the saga runs asynchronously)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } } },
          400: errorResponse('Invalid input; `details.field` names the field'),
          409: errorResponse('Idempotency-Key reused with a different body'),
          413: errorResponse('Body too large'),
          415: errorResponse('Body is not application/json'),
        },
      },
    },
    '/v1/orders/{id}': {
      get: {
        summary: 'One order',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'The order' }, 404: errorResponse('No such order') },
      },
    },
  },
  components: {
    schemas: {
      Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } } } } },
      PlaceOrder: {
        type: 'object',
        additionalProperties: false,
        required: ['items'],
        properties: {
          memberId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
          items: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'object', additionalProperties: false, required: ['sku', 'quantity'], properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1, maximum: 20 } } } },
        },
      },
      Order: {
        type: 'object',
        properties: {
          orderId: { type: 'string' },
          memberId: { type: ['string', 'null'] },
          totalCents: { type: 'integer' },
          discountPercent: { type: 'integer' },
          pricingFallback: { enum: ['member_unknown', 'member_unavailable', null], description: 'Set when guest pricing replaced the member check.' },
          pricingFallbackCause: { enum: ['call_failed', 'breaker_open', null], description: 'With member_unavailable: the member call failed, or was not made because the order → member circuit breaker is open.' },
          status: { enum: ['placed', 'completed', 'cancelled'] },
        },
      },
    },
  },
} as const;

/** OpenAPI 3.1 description of the payment API, served at GET /v1/openapi.json. */
export const PAYMENT_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'brewops payment', version: '1.0.0', description: 'Charges orders (order.placed) and refunds them when the coffee is rejected.' },
  paths: {
    '/v1/payments/{orderId}': {
      get: {
        summary: 'The payment of one order',
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: {
            description: 'The payment',
            content: { 'application/json': { schema: { type: 'object', properties: {
              orderId: { type: 'string' }, paymentId: { type: 'string' }, amountCents: { type: 'integer' },
              status: { enum: ['charged', 'declined', 'refunded'] }, reason: { type: ['string', 'null'] }, updatedAt: { type: 'string' },
            } } } },
          },
          404: { description: 'No payment for this order (yet)' },
        },
      },
    },
  },
} as const;

/** OpenAPI 3.1 description of the member API, served at GET /v1/openapi.json. */
export const MEMBER_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'brewops member', version: '1.0.0', description: 'Loyalty members, tiers and their discounts.' },
  paths: {
    '/v1/tiers': { get: { summary: 'Tiers and their discount in percent', responses: { 200: { description: '{ tiers: [{ tier, discountPercent }] }' } } } },
    '/v1/members/{id}': {
      get: {
        summary: 'One member with its tier discount',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: { description: 'The member', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' }, tier: { enum: ['bronze', 'silver', 'gold'] }, discountPercent: { type: 'integer' } } } } } },
          404: { description: 'No such member' },
        },
      },
    },
  },
} as const;

import { startService } from '@brewops/platform';
import { MemberDirectory } from './handlers/members.js';
import { memberRoutes } from './routes/members.js';

const directory = new MemberDirectory();

startService({
  name: 'member',
  routes: (router) => memberRoutes(router, directory),
}).catch((err: unknown) => {
  console.error('member failed to start:', err);
  process.exit(1);
});

/** The frontend's settings, read from the environment once at start-up (filled by the service stack). */
import { z } from 'zod';
import { commonSettings, drainBeforeTimeout, parseSettings } from '../../shared/settings';

const schema = drainBeforeTimeout(
  z.object({
    ...commonSettings,
    /** The backend's base URL inside the cluster; `/api/*` is passed to it. */
    API_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the backend' }),
  }),
);

export type Settings = z.infer<typeof schema>;

export const readSettings = (env: NodeJS.ProcessEnv): Settings =>
  parseSettings(schema, env, 'frontend');

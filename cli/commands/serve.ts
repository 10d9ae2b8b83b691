/** `adsync serve`: the local stack in this process, until Ctrl-C (or SIGTERM) stops it. */
import { join } from 'node:path';
import { EXIT } from '../arguments';

/** Starts the local stack, says where it is and how to sign in, and stops it on SIGINT or SIGTERM. */
export async function serve(): Promise<number> {
  const { startLocalStack } = await import('../../local/local-stack');
  const stack = await startLocalStack();
  process.stderr.write(
    `ad-sync local stack on ${stack.url} (data in ${stack.home})\n` +
      (stack.tokenGenerated
        ? `token (saved to ${join(stack.home, 'token')}): ${stack.token}\n` +
          `admin console: ${stack.url}/#token=${stack.token}\n`
        : `token: in ${join(stack.home, 'token')} or $ADSYNC_TOKEN\n` +
          `admin console: ${stack.url}/ (sign in with the token)\n`) +
      'Ctrl-C stops it.\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stack.stop();
  return EXIT.ok;
}

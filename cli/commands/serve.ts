/** `adsync serve`: the local stack in this process, until Ctrl-C (or SIGTERM) stops it. */
import { join } from 'node:path';
import { EXIT } from '../arguments';
import type { Terminal } from '../terminal';

/**
 * Starts the local stack, says where it is and how to sign in (on the terminal's stderr), and stops it on
 * SIGINT or SIGTERM. The stack is the process's: it reads the process's environment ($ADSYNC_HOME, ...) and
 * sets the AWS SDK's, and the signals are the process's.
 */
export async function serve({ stderr }: Terminal): Promise<number> {
  const { startLocalStack } = await import('../../local/local-stack');
  const stack = await startLocalStack();
  stderr.write(
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

/** `adsync explain <name>`: why a directory user is in scope or not, and what a sync would do with it. */
import { EXIT, UsageError } from '../arguments';
import { describeExplanation } from '../presenter';
import type { ApiCommand } from './api-command';

/** The explanation of one name: sAMAccountName, userPrincipalName, distinguished name or objectGUID. */
export const explain: ApiCommand = async ({ api, operands, print }) => {
  const [name] = operands;
  if (!name || operands.length > 1)
    throw new UsageError('explain needs one name: adsync explain <name> (quote a DN)');
  const explanation = await api.explainUser(name);
  print(explanation, () => describeExplanation(explanation));
  return EXIT.ok;
};

/**
 * The parts of the stack (network, data, functions, API, schedule, alarms) are constructs of their own, but
 * the logical ids of their resources are made as if the resources sat directly in the stack: they are the
 * ids the stack was deployed with while it was one construct, and a changed logical id would make
 * CloudFormation replace the resource (a new table, a new API URL).
 */
import { type CfnElement, Names, Stack } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';

/** A part of the stack: left out of the logical ids of what it holds. */
export class StackPart extends Construct {}

/** The ids of a construct's path below the stack, without the parts. */
const pathBelow = (stack: Stack, construct: IConstruct): string[] => {
  const scopes = construct.node.scopes;
  return scopes
    .slice(scopes.indexOf(stack) + 1)
    .filter((scope) => !(scope instanceof StackPart))
    .map((scope) => scope.node.id);
};

/** The unique id CDK makes of a path (Names.uniqueId of a construct at that path, in a scratch tree). */
function uniqueIdOf(path: readonly string[]): string {
  let scope = new Construct(undefined as unknown as Construct, '');
  for (const id of path) scope = new Construct(scope, id);
  return Names.uniqueId(scope);
}

/**
 * A stack whose parts (StackPart) are left out of logical ids. Some constructs make the id of a resource
 * from another construct's unique id (a Lambda permission names the API, an event source mapping the table,
 * a security group rule the other group): such ids are given the unique id the other construct had outside
 * the parts, too.
 */
export class StackOfParts extends Stack {
  private readonly logicalIds = new WeakMap<CfnElement, string>();
  private renamed: { constructs: number; ids: ReadonlyMap<string, string>; pattern: RegExp } | undefined;

  protected override allocateLogicalId(element: CfnElement): string {
    // An element's id depends only on its path, and on constructs made before it: it is made once.
    const known = this.logicalIds.get(element);
    if (known !== undefined) return known;
    const { ids, pattern } = this.uniqueIdsOutsideParts();
    const path = pathBelow(this, element).map((id) =>
      ids.size === 0 ? id : id.replace(pattern, (inPart) => ids.get(inPart) ?? inPart),
    );
    const logicalId = uniqueIdOf(path);
    this.logicalIds.set(element, logicalId);
    return logicalId;
  }

  /**
   * The unique id of every construct inside a part, with the one it would have outside the parts (made
   * again whenever constructs were added since), and a pattern that finds the former in a construct id.
   */
  private uniqueIdsOutsideParts(): { ids: ReadonlyMap<string, string>; pattern: RegExp } {
    const constructs = this.node.findAll();
    if (this.renamed?.constructs === constructs.length) return this.renamed;
    const ids = new Map<string, string>();
    for (const construct of constructs) {
      if (!construct.node.scopes.some((scope) => scope instanceof StackPart)) continue;
      const outside = pathBelow(this, construct);
      if (outside.length === 0) continue;
      ids.set(Names.nodeUniqueId(construct.node), uniqueIdOf([this.node.id, ...outside]));
    }
    // Unique ids are letters and digits only: they need no escaping. The longest first, should one id begin
    // another.
    const pattern = new RegExp([...ids.keys()].sort((a, b) => b.length - a.length).join('|'), 'g');
    this.renamed = { constructs: constructs.length, ids, pattern };
    return this.renamed;
  }
}

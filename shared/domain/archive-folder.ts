/**
 * The archive-folder rule (docs/data-model.md). The archive application keeps a folder of archived messages
 * per user and creates it on first use; the sync never creates folders. When the sync deletes a user, an
 * empty folder goes with the user and a folder that holds messages is kept, marked with the owner's
 * deletion; when the sync renames a user, the user's folders move to the new name. A folder kept for an
 * earlier owner of the name is that owner's, not the current user's: it is left alone.
 */

export interface ArchiveFolder {
  readonly folderId: string;
  readonly ownerUserName: string;
  readonly messageCount: number;
  /** Set when the owner was deleted and the folder kept because it holds messages. */
  readonly ownerDeletedAt?: string;
}

/** What the sync did to the owner of folders. */
export type OwnerChange =
  | { readonly action: 'delete'; readonly userName: string }
  | { readonly action: 'rename'; readonly userName: string; readonly newUserName: string };

/** A folder kept after its owner's deletion, because it holds messages. */
export interface KeepFolder {
  readonly action: 'keep';
  readonly folderId: string;
  readonly ownerDeletedAt: string;
}

/**
 * An empty folder removed with its owner. The archive application writes at any time: a folder that holds
 * messages by the time it is removed is kept instead (`otherwise`), so the store removes it only while it
 * is still empty.
 */
export interface RemoveFolder {
  readonly action: 'remove';
  readonly folderId: string;
  readonly otherwise: KeepFolder;
}

/** A folder that follows its owner to a new name. */
export interface MoveFolder {
  readonly action: 'move';
  readonly folderId: string;
  readonly ownerUserName: string;
}

export type FolderChange = KeepFolder | RemoveFolder | MoveFolder;

/** What becomes of the owner's folders (`folders`, as read) after the change of the owner, made at `now`. */
export function folderChanges(
  folders: readonly ArchiveFolder[],
  owner: OwnerChange,
  now: string,
): FolderChange[] {
  const own = folders.filter((folder) => folder.ownerDeletedAt === undefined);
  if (owner.action === 'rename') {
    return own.map(({ folderId }) => ({ action: 'move', folderId, ownerUserName: owner.newUserName }));
  }
  return own.map(({ folderId, messageCount }) => {
    const keep: KeepFolder = { action: 'keep', folderId, ownerDeletedAt: now };
    return messageCount === 0 ? { action: 'remove', folderId, otherwise: keep } : keep;
  });
}

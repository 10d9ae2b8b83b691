import { describe, expect, it } from 'vitest';
import { type ArchiveFolder, folderChanges } from '../../../shared/domain/archive-folder';

const NOW = '2026-11-25T10:00:00.000Z';
const folder = (folderId: string, messageCount: number, ownerDeletedAt?: string): ArchiveFolder => ({
  folderId,
  ownerUserName: 'bob',
  messageCount,
  ...(ownerDeletedAt ? { ownerDeletedAt } : {}),
});

describe('folderChanges', () => {
  it('removes an empty folder with its deleted owner, keeping it instead if messages arrive meanwhile', () => {
    expect(folderChanges([folder('f1', 0)], { action: 'delete', userName: 'bob' }, NOW)).toEqual([
      {
        action: 'remove',
        folderId: 'f1',
        otherwise: { action: 'keep', folderId: 'f1', ownerDeletedAt: NOW },
      },
    ]);
  });

  it('keeps a folder that holds messages, marked with its owner deletion', () => {
    expect(folderChanges([folder('f1', 3)], { action: 'delete', userName: 'bob' }, NOW)).toEqual([
      { action: 'keep', folderId: 'f1', ownerDeletedAt: NOW },
    ]);
  });

  it('moves the folders of a renamed owner to the new name', () => {
    const folders = [folder('f1', 0), folder('f2', 7)];
    expect(folderChanges(folders, { action: 'rename', userName: 'bob', newUserName: 'Robert' }, NOW)).toEqual(
      [
        { action: 'move', folderId: 'f1', ownerUserName: 'Robert' },
        { action: 'move', folderId: 'f2', ownerUserName: 'Robert' },
      ],
    );
  });

  it('leaves alone a folder kept for an earlier owner of the name', () => {
    const kept = folder('old', 5, '2026-01-01T00:00:00.000Z');
    expect(folderChanges([kept], { action: 'delete', userName: 'bob' }, NOW)).toEqual([]);
    expect(folderChanges([kept], { action: 'rename', userName: 'bob', newUserName: 'robert' }, NOW)).toEqual(
      [],
    );
  });
});

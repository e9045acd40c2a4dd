import { $refId, type ChangeTree, Root } from "@colyseus/schema";

/**
 * @colyseus/schema 5.0.x keeps one `refCount` entry for every instance a room's state ever held: removing an
 * instance sets its count to 0 and never deletes it, and refIds only grow. A world room that stays open while
 * players come and go (each join, chat line and greeting is a new instance) so grew by ~8 bytes an instance, for
 * good: `npm run bench:soak` found it as the one array growing with visits.
 *
 * The 0 means "removed once": a removed instance added again is re-sent whole. So the entry is deleted here and the
 * 0 put back just before the library reads it again for that instance (`add` or `remove`), which it does only for
 * an instance it still holds: every read sees what it saw before. Applied once, for every room, on import.
 */
const removedFrom = new WeakMap<ChangeTree, Root>();
const { add, remove } = Root.prototype;

function restoreZero(root: Root, changeTree: ChangeTree) {
  const refId = changeTree.ref[$refId];
  if (refId !== undefined && removedFrom.get(changeTree) === root && root.refCount[refId] === undefined) root.refCount[refId] = 0;
}

Root.prototype.add = function (this: Root, changeTree: ChangeTree) {
  restoreZero(this, changeTree);
  return add.call(this, changeTree);
};

Root.prototype.remove = function (this: Root, changeTree: ChangeTree) {
  restoreZero(this, changeTree);
  const refCount = remove.call(this, changeTree);
  const refId = changeTree.ref[$refId];
  if (this.refCount[refId] === 0) {
    delete this.refCount[refId];
    removedFrom.set(changeTree, this);
  }
  return refCount;
};

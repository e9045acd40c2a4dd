import { $refId, type ChangeTree, Root } from "@colyseus/schema";

/**
 * @colyseus/schema 5.0.x keeps one `refCount` entry for every instance a room's state ever held: removing an
 * instance sets its count to 0 and never deletes it, and refIds only grow. A world room that stays open while
 * players come and go (each join, chat line and greeting is a new instance) so grew by ~8 bytes an instance, for
 * good: `npm run bench:soak` found it as the one array growing with visits.
 *
 * The 0 only means "removed once: if added again, send it whole", which the library's own `needsRestage` flag on the
 * instance's tree also means (a `Schema.reset` instance's). So the entry is deleted and the flag set instead; and a
 * second removal of the same tree sees its 0 again, as before. Applied once, for every room, on import.
 */
const { remove } = Root.prototype;

Root.prototype.remove = function (this: Root, changeTree: ChangeTree) {
  const refId = changeTree.ref[$refId];
  if (this.refCount[refId] === undefined && changeTree.needsRestage) this.refCount[refId] = 0;
  const refCount = remove.call(this, changeTree);
  if (this.refCount[refId] === 0) {
    delete this.refCount[refId];
    changeTree.needsRestage = true;
  }
  return refCount;
};
